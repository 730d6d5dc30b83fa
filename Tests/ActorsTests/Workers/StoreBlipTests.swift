import Actors
import Foundation
import HummingbirdTesting
import Runtime
import TestSupport
import Testing

/// A store that cannot be reached is not a failed deposit: no attempt is charged, and the
/// deposit is credited once the store answers, however often it was unavailable.
@Suite(.serialized, .timeLimit(.minutes(2))) struct StoreBlipTests {
    @Test(arguments: TestBackend.available)
    func unavailabilityAfterTheClaimIsNeverChargedAnAttempt(backend: TestBackend) async throws {
        let log = SettlementLog()
        let faults = ScriptedFaults()
        let maximumAttempts = 3
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, faults: faults, observer: log, configure: {
                $0.worker.maximumAttempts = maximumAttempts
                $0.worker.storeBackoff = Backoff(minimum: .milliseconds(1), maximum: .milliseconds(20))
                $0.workerConcurrency = 1
            }) { running in
                try await running.withClient { client in
                    let user = try await DepositLifecycleTests.createUser(client, "blip-user")
                    faults.set(.afterClaim, .unavailable(times: maximumAttempts + 2))
                    let txID = try DepositLifecycleTests.txID(try await client.webhook(
                        #"{"tx_hash":"blip-1","amount":"7","confirmations":12,"user_id":"\#(user)"}"#
                    ))
                    #expect(try await log.settlement(of: txID) == .credited)
                    #expect(faults.failures(.afterClaim) == maximumAttempts + 2)
                    #expect(log.snapshot.failures[txID] == nil, "a blip was charged as a failed attempt")
                    #expect(try await DepositLifecycleTests.balance(client, user) == "7")
                    #expect(log.snapshot.credits[txID] == 1)
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailureOfTheDepositItselfIsStillCharged(backend: TestBackend) async throws {
        let log = SettlementLog()
        let faults = ScriptedFaults()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, faults: faults, observer: log, configure: { $0.worker.maximumAttempts = 2 }) { running in
                try await running.withClient { client in
                    faults.set(.afterClaim, .failAlways)
                    let txID = try DepositLifecycleTests.txID(try await client.webhook(#"{"tx_hash":"blip-2","amount":"1","confirmations":12}"#))
                    #expect(try await log.settlement(of: txID) == .dead)
                    #expect(log.snapshot.failures[txID]?.count == 2)
                }
            }
        }
    }
}
