import Actors
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// One transfer spelled several ways is one deposit and one credit, over HTTP, on both stores.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TransferIdentityLifecycleTests {
    @Test(arguments: TestBackend.available)
    func spellingsOfOneHashAndOneUserAreCreditedOnce(backend: TestBackend) async throws {
        let log = SettlementLog()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, observer: log) { running in
                try await running.withClient { client in
                    let user = try await DepositLifecycleTests.createUser(client, "identity-user")
                    let digits = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                    let spellings = [
                        ("0x" + digits, user),
                        ("0x" + digits.uppercased(), user.uppercased()),
                        (digits, user),
                        ("0X" + digits, user.uppercased()),
                    ]
                    var txIDs: Set<UUID> = []
                    for (hash, userID) in spellings {
                        let body = #"{"tx_hash":"\#(hash)","amount":"100","confirmations":12,"user_id":"\#(userID)"}"#
                        let response = try await client.webhook(body)
                        txIDs.insert(try DepositLifecycleTests.txID(response))
                    }
                    #expect(txIDs.count == 1)
                    let txID = try #require(txIDs.first)
                    #expect(try await log.settlement(of: txID) == .credited)
                    #expect(try await DepositLifecycleTests.balance(client, user) == "100")
                    let status = try await client.admin(.get, "/api/v1/transactions/\(txID.uuidString)")
                    #expect(status.json["tx_hash"] as? String == "0x" + digits)
                    #expect(log.snapshot.credits[txID] == 1)
                    // An opaque reference keeps its spelling: another case is another transfer.
                    let smoke = try DepositLifecycleTests.txID(try await client.webhook(#"{"tx_hash":"smoke-test-1","amount":"1"}"#))
                    let shouted = try DepositLifecycleTests.txID(try await client.webhook(#"{"tx_hash":"SMOKE-TEST-1","amount":"1"}"#))
                    #expect(smoke != shouted)
                    #expect(try await running.service.store.verify() == [])
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aRecordThatNoStoreCanHoldIsRefusedAndOthersAreNot(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    let bad = #"{"tx_hash":"nul-1","amount":"1","user_id":"a\u0000b"}"#
                    let badMetadata = #"{"tx_hash":"nul-2","amount":"1","metadata":{"user_id":"a\u0000b"}}"#
                    async let first = client.webhook(bad)
                    async let second = client.webhook(badMetadata)
                    async let good = client.webhook(#"{"tx_hash":"nul-3","amount":"1","user_id":"fine"}"#)
                    let (refused, refusedMetadata, accepted) = try await (first, second, good)
                    #expect(refused.status == .unprocessableContent)
                    #expect((refused.json["error"] as? String)?.contains("user_id") == true)
                    #expect(refusedMetadata.status == .unprocessableContent)
                    #expect((refusedMetadata.json["error"] as? String)?.contains("metadata.user_id") == true)
                    #expect(accepted.status == .accepted)
                    #expect(try await running.service.store.statistics().deposits.values.reduce(0, +) == 1)
                }
            }
        }
    }
}
