import Actors
import ArgumentParser
import Foundation
import Logging
import Runtime

/// `cricalgo verify`: checks the store's invariants read-only and reports them.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the store's invariants; exit 1 naming each violation.",
        discussion: """
            Checks: each credited deposit has exactly one ledger entry and no other deposit has one; \
            every wallet's deposit_balance equals the sum of its ledger entries; no job holds an expired lease; \
            every queued deposit has a job and every job belongs to a queued deposit; \
            no transfer is stored under two spellings of its tx_hash (tx_hash_collision: see the runbook). \
            Also reports balance_ceiling_refusals: deposits refused because the credit would pass the largest \
            wallet balance (not a violation; see the runbook). The database is opened read-only and must exist \
            with this binary's schema version: a missing database, or an older or newer schema, exits 1.
            """
    )
    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let startup = try Startup(options: self.options, mode: .worker, listens: false, reportOnStandardOutput: true)
        let (violations, statistics, ceiling) = try await startup.withStore(access: .readOnly) { store in
            try await startup.refusingUnusableLogin { try await store.requireCurrentSchema() }
            return (try await store.verify(), try await store.statistics(), try await store.balanceCeilingRefusals())
        }
        if self.json {
            struct Report: Encodable {
                var ok: Bool
                var deposits: [String: Int]
                var balanceCeilingRefusals: Int
                var violations: [InvariantViolation]

                enum CodingKeys: String, CodingKey {
                    case ok, deposits, violations
                    case balanceCeilingRefusals = "balance_ceiling_refusals"
                }
            }
            let report = Report(
                ok: violations.isEmpty,
                deposits: Dictionary(uniqueKeysWithValues: statistics.deposits.map { ($0.key.rawValue, $0.value) }),
                balanceCeilingRefusals: ceiling,
                violations: violations
            )
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            let counts = DepositState.allCases.map { "\($0.rawValue)=\(statistics.deposits[$0] ?? 0)" }.joined(separator: " ")
            print("deposits: \(counts)")
            print("balance_ceiling_refusals: \(ceiling) (deposits settled failed because the credit would pass the largest wallet balance; not a violation)")
            if violations.isEmpty {
                print("ok: every invariant holds")
            } else {
                print("FAILED: \(violations.count) violation(s)")
                for violation in violations { print("- \(violation)") }
            }
        }
        if !violations.isEmpty { throw ExitCode.failure }
    }
}
