import Actors
import Foundation
import TestSupport
import Testing

/// Shorthands for building records in store and HTTP tests.
func record(
    _ hash: String,
    amount: String = "1",
    confirmations: Int64 = 12,
    status: ChainStatus = .confirmed,
    user: String? = nil,
    currency: String = "USDT",
    logIndex: Int64 = 0
) -> DepositRecord {
    DepositRecord(
        txHash: hash, logIndex: logIndex, amount: try! Amount(parsing: amount), currency: currency,
        confirmations: confirmations, chainStatus: status, userRef: user
    )
}

extension IngestResult {
    var isCreated: Bool { if case .accepted(true, _) = self.outcome { true } else { false } }
    var isQueued: Bool { if case .accepted(_, true) = self.outcome { true } else { false } }
    var isConflict: Bool { if case .conflict = self.outcome { true } else { false } }
}

extension DepositStore {
    /// Ingests one record with the default threshold of 12.
    func ingestOne(_ record: DepositRecord, threshold: Int64 = 12) async throws -> IngestResult {
        try await self.ingest([record], confirmationThreshold: threshold)[0]
    }

    /// Claims and processes every due job; returns the outcomes in order.
    func drainJobs(owner: String = "test-worker") async throws -> [JobOutcome] {
        var outcomes: [JobOutcome] = []
        while let job = try await self.claimJob(owner: owner, lease: .seconds(30)) {
            outcomes.append(try await self.processJob(job))
        }
        return outcomes
    }
}

/// The PostgreSQL suites must not silently skip in CI.
@Suite struct PostgresAvailabilityTests {
    @Test func postgresIsConfiguredWhenRequired() {
        if TestBackend.postgresRequired {
            #expect(TestBackend.postgresURL != nil, "CRICALGO_REQUIRE_POSTGRES=true but CRICALGO_TEST_DATABASE_URL is unset")
        } else {
            #expect(TestBackend.available.contains(.sqlite))
        }
    }
}
