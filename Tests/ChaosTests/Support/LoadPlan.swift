import Actors
import Foundation

/// The webhooks of one chaos run, fixed by the seed: every transfer once with enough
/// confirmations to be credited, and a share of repeats (same transfer, random
/// confirmations, sometimes below the threshold) of transfers sent earlier in the run, from
/// the one just before to one long ago.
struct LoadPlan: Sendable {
    /// One transfer on the chain; its amount and user never change between repeats.
    struct Transfer: Sendable, Hashable {
        var hash: String
        var user: String
        var amount: String
    }

    struct Request: Sendable {
        var transfer: Int
        var confirmations: Int
    }

    let transfers: [Transfer]
    let requests: [Request]

    /// - Parameters:
    ///   - prefix: Makes the tx_hashes of this run unique in a shared store.
    ///   - count: Requests in all; `repeatShare` of them repeat an earlier transfer.
    ///   - users: UUIDs of existing users; transfers go to them in turn.
    init(prefix: String, count: Int, repeatShare: Double = 0.2, users: [String], seed: ChaosSeed) {
        precondition(!users.isEmpty && count > 0)
        var generator = seed.generator("plan-\(prefix)")
        let distinct = max(1, Int((Double(count) * (1 - repeatShare)).rounded()))
        self.transfers = (0..<distinct).map { index in
            let fraction = String(generator.pick(0...999_999))
            return Transfer(
                hash: "\(prefix)-\(index)",
                user: users[index % users.count],
                amount: "\(generator.pick(1...500)).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
            )
        }
        // Which positions repeat: exactly `count - distinct` of them, never the first.
        var repeats = [false] + Array(repeating: true, count: count - distinct) + Array(repeating: false, count: distinct - 1)
        repeats[1...].shuffle(using: &generator)
        var requests: [Request] = []
        requests.reserveCapacity(count)
        var sent = 0
        for isRepeat in repeats {
            if isRepeat {
                requests.append(Request(transfer: generator.pick(0...(sent - 1)), confirmations: generator.pick(0...40)))
            } else {
                requests.append(Request(transfer: sent, confirmations: generator.pick(12...40)))
                sent += 1
            }
        }
        self.requests = requests
    }

    /// The webhook body of `request`.
    func body(_ request: Request) -> String {
        let transfer = self.transfers[request.transfer]
        return #"{"tx_hash":"\#(transfer.hash)","amount":"\#(transfer.amount)","confirmations":\#(request.confirmations),"#
            + #""user_id":"\#(transfer.user)","to_address":"0xchaos","block_number":1}"#
    }

    /// What each user's deposit balance must be once `transfers` (indices) are credited.
    func balances(crediting transfers: some Sequence<Int>) -> [String: Amount] {
        var balances: [String: Amount] = [:]
        for index in Set(transfers) {
            let transfer = self.transfers[index]
            // Amounts are generated in range, so parsing and adding cannot fail.
            let amount = try! Amount(parsing: transfer.amount)
            balances[transfer.user] = (balances[transfer.user] ?? .zero).adding(amount)!
        }
        return balances
    }
}
