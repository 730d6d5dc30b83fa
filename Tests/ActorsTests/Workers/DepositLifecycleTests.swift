import Actors
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// Each path of the deposit lifecycle (docs/API.md "Deposit lifecycle") end to end: webhook over HTTP → worker → wallet, on both backends.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DepositLifecycleTests {
    static func createUser(_ client: TestClient, _ name: String) async throws -> String {
        let response = try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":"\#(name)","telegram_id":7}"#)
        #expect(response.status == .created)
        #expect(response.json["username"] as? String == name)
        return try #require(response.json["id"] as? String)
    }

    static func txID(_ response: TestClient.Response) throws -> UUID {
        #expect(response.status == .accepted, "\(response.text)")
        return try #require(UUID(uuidString: response.json["tx_id"] as? String ?? ""))
    }

    static func balance(_ client: TestClient, _ user: String) async throws -> String? {
        try await client.admin(.get, "/api/v1/admin/users/\(user)/wallet").json["deposit_balance"] as? String
    }

    @Test(arguments: TestBackend.available)
    func creditedOnceHoweverManyRepeats(backend: TestBackend) async throws {
        let log = SettlementLog()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, observer: log) { running in
                try await running.withClient { client in
                    let user = try await Self.createUser(client, "repeat-user")
                    let body = #"{"tx_hash":"life-1","amount":"12.345","confirmations":15,"user_id":"\#(user)"}"#
                    let txID = try Self.txID(try await client.webhook(body))
                    for _ in 0..<5 { #expect(try Self.txID(try await client.webhook(body)) == txID) }
                    #expect(try await log.settlement(of: txID) == .credited)
                    for _ in 0..<5 { #expect(try Self.txID(try await client.webhook(body)) == txID) }
                    #expect(try await running.service.store.statistics().queueDepth == 0)
                    #expect(try await Self.balance(client, user) == "12.345")
                    let status = try await client.admin(.get, "/api/v1/transactions/\(txID.uuidString)")
                    #expect(status.status == .ok)
                    #expect(status.json["status"] as? String == "credited")
                    #expect(status.json["amount"] as? String == "12.345")
                    #expect(status.json["user_id"] as? String == user)
                    #expect(status.json["processed_at"] is String)
                    #expect(Set(status.json.keys).isSuperset(of: ["tx_id", "tx_hash", "chain", "status", "confirmations", "amount", "user_id", "processed_at"]))
                    #expect(log.snapshot.credits[txID] == 1)
                    #expect(try await running.service.store.verify() == [])
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func belowThresholdStaysPendingUntilALaterWebhookLiftsIt(backend: TestBackend) async throws {
        let log = SettlementLog()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, observer: log) { running in
                try await running.withClient { client in
                    let user = try await Self.createUser(client, "patient-user")
                    let txID = try Self.txID(try await client.webhook(#"{"tx_hash":"life-2","amount":"1","confirmations":3,"user_id":"\#(user)"}"#))
                    let pending = try await client.admin(.get, "/api/v1/transactions/\(txID.uuidString)")
                    #expect(pending.json["status"] as? String == "pending")
                    #expect(pending.json["confirmations"] as? Int == 3)
                    #expect(pending.json["processed_at"] is NSNull)
                    _ = try Self.txID(try await client.webhook(#"{"tx_hash":"life-2","amount":"1","confirmations":12,"user_id":"\#(user)"}"#))
                    #expect(try await log.settlement(of: txID) == .credited)
                    #expect(try await Self.balance(client, user) == "1")
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailedTransferIsSettledWithoutCredit(backend: TestBackend) async throws {
        let log = SettlementLog()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, observer: log) { running in
                try await running.withClient { client in
                    let user = try await Self.createUser(client, "unlucky-user")
                    let txID = try Self.txID(try await client.webhook(#"{"tx_hash":"life-3","amount":"9","status":"failed","user_id":"\#(user)"}"#))
                    #expect(try await log.settlement(of: txID) == .failed)
                    #expect(try await Self.balance(client, user) == "0")
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func anUnmatchedDepositIsCreditedOnceAssigned(backend: TestBackend) async throws {
        let log = SettlementLog()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, observer: log) { running in
                try await running.withClient { client in
                    let txID = try Self.txID(try await client.webhook(WebhookRouteTests.smoke))
                    #expect(try await log.settlement(of: txID) == .unmatched)
                    let user = try await Self.createUser(client, "late-user")
                    let notUUID = try await client.admin(.post, "/api/v1/admin/transactions/\(txID.uuidString)/assign", json: #"{"user_id":"nope"}"#)
                    #expect(notUUID.status == .unprocessableContent)
                    let assigned = try await client.admin(.post, "/api/v1/admin/transactions/\(txID.uuidString)/assign", json: #"{"user_id":"\#(user)"}"#)
                    #expect(assigned.status == .accepted)
                    #expect(assigned.json["ok"] as? Bool == true)
                    try await log.wait { $0.outcomes[txID]?.contains(.credited) == true }
                    #expect(try await Self.balance(client, user) == "1")
                    let again = try await client.admin(.post, "/api/v1/admin/transactions/\(txID.uuidString)/assign", json: #"{"user_id":"\#(user)"}"#)
                    #expect(again.status == .conflict)
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func deadAfterMaxAttemptsThenRequeuedAndCredited(backend: TestBackend) async throws {
        let log = SettlementLog()
        let faults = ScriptedFaults()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, faults: faults, observer: log, configure: { $0.worker.maximumAttempts = 3 }) { running in
                try await running.withClient { client in
                    let user = try await Self.createUser(client, "doomed-user")
                    faults.set(.afterLedgerInsert, .failAlways)
                    let txID = try Self.txID(try await client.webhook(#"{"tx_hash":"life-5","amount":"5","confirmations":12,"user_id":"\#(user)"}"#))
                    #expect(try await log.settlement(of: txID) == .dead)
                    #expect(log.snapshot.failures[txID]?.count == 3)
                    #expect(try await Self.balance(client, user) == "0")
                    let dead = try await client.admin(.get, "/api/v1/transactions/\(txID.uuidString)")
                    #expect(dead.json["status"] as? String == "dead")
                    faults.set(.afterLedgerInsert, nil)
                    let requeued = try await client.admin(.post, "/api/v1/admin/transactions/\(txID.uuidString)/requeue")
                    #expect(requeued.status == .accepted)
                    try await log.wait { $0.outcomes[txID]?.contains(.credited) == true }
                    #expect(try await Self.balance(client, user) == "5")
                    #expect(try await running.service.store.verify() == [])
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aFaultOnceAtEachProcessingStepLosesNothingAndCreditsOnce(backend: TestBackend) async throws {
        let log = SettlementLog()
        let faults = ScriptedFaults()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, faults: faults, observer: log) { running in
                try await running.withClient { client in
                    let user = try await Self.createUser(client, "fault-user")
                    var expected = 0
                    for point in [FaultPoint.afterClaim, .afterLedgerInsert, .beforeCommit, .afterCommit] {
                        faults.set(point, .fail(times: 1))
                        let txID = try Self.txID(try await client.webhook(#"{"tx_hash":"fault-\#(point.rawValue)","amount":"2","confirmations":12,"user_id":"\#(user)"}"#))
                        expected += 2
                        // After a fault past the commit the worker never learns the outcome; the
                        // failure it reports (lease gone with the job) is the last event.
                        try await log.wait { $0.outcomes[txID]?.contains(.credited) == true || $0.failures[txID]?.contains(nil) == true }
                        #expect(faults.failures(point) == 1)
                        #expect(log.snapshot.credits[txID, default: 0] <= 1, "\(point)")
                        #expect(try await running.service.store.transaction(id: txID)?.state == .credited, "\(point)")
                    }
                    #expect(try await Self.balance(client, user) == "\(expected)")
                    #expect(try await running.service.store.verify() == [])
                }
            }
        }
    }
}
