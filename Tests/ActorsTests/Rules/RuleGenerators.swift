import Foundation
import PropertyBased

@testable import Actors

/// Generators of the values the rules read: small domains, so that repeats, ties at the
/// threshold and agreeing terms come up often.
enum RuleGen {
    static let status = Gen.int(in: 0...(ChainStatus.allCases.count - 1)).map { ChainStatus.allCases[$0] }
    static let state = Gen.int(in: 0...(DepositState.allCases.count - 1)).map { DepositState.allCases[$0] }
    static let confirmations = Gen.int64(in: 0...20)
    static let threshold = Gen.int64(in: 0...15)
    static let amount = Gen.int128(in: 1...4).map { Amount(units: $0 * 500_000_000_000_000_000)! }
    static let currency = Gen.int(in: 0...1).map { ["USDT", "BUSD"][$0] }
    static let userRef = Gen.int(in: 0...2).map { [nil, "u1", "u2"][$0] }

    static let terms = zip(amount, currency, userRef).map { IngestRule.Terms(amount: $0, currency: $1, userRef: $2) }

    static let record = zip(terms, confirmations, status).map { terms, confirmations, status in
        DepositRecord(
            txHash: "0xab", amount: terms.amount, currency: terms.currency, confirmations: confirmations,
            chainStatus: status, userRef: terms.userRef
        )
    }

    static let stored = zip(state, status, confirmations, terms).map { state, status, confirmations, terms in
        IngestRule.Stored(state: state, chainStatus: status, confirmations: confirmations, terms: terms)
    }
}
