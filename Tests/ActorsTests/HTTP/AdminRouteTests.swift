import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The admin routes end to end: real HTTP over loopback, a whole service on a real store.
/// Authentication, error shapes and chaos switches are checked in-process (AdminRouterTests).
@Suite(.serialized, .timeLimit(.minutes(2))) struct AdminRouteTests {
    @Test func theSupervisionTreeShowsEveryNode() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    let response = try await client.admin(.get, "/api/v1/admin/supervisor")
                    #expect(response.status == .ok)
                    let root = response.json
                    #expect(root["name"] as? String == "root")
                    #expect(root["strategy"] as? String == "one_for_one")
                    let children = try #require(root["children"] as? [[String: Any]])
                    #expect(children.map { $0["name"] as? String } == ["metrics", "pool", "monitor", "workers", "ingress"])
                    for child in children {
                        #expect(child["state"] is String)
                        #expect(child["restarts"] is Int)
                    }
                    let workers = try #require(children.first { $0["name"] as? String == "workers" })
                    #expect(workers["strategy"] as? String == "one_for_one")
                    let workerNodes = try #require(workers["children"] as? [[String: Any]])
                    #expect(workerNodes.count == 4)
                    #expect(workerNodes.allSatisfy { ($0["name"] as? String)?.hasPrefix("worker-") == true })
                }
            }
        }
    }

    @Test func killingAWorkerRestartsIt() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database) { running in
                let events = running.service.workers.events()
                try await running.withClient { client in
                    let response = try await client.admin(.post, "/api/v1/admin/chaos/kill-worker")
                    #expect(response.status == .ok)
                    let killed = try #require(response.json["killed"] as? String)
                    #expect(killed.hasPrefix("worker-"))
                    for await event in events {
                        if case .childStarted(let child, let restarts) = event, child == killed, restarts == 1 { break }
                    }
                    let tree = try await client.admin(.get, "/api/v1/admin/supervisor").json
                    let workers = (tree["children"] as? [[String: Any]])?.first { $0["name"] as? String == "workers" }
                    let node = (workers?["children"] as? [[String: Any]])?.first { $0["name"] as? String == killed }
                    #expect(node?["restarts"] as? Int == 1)
                }
                await running.service.metricsActor.flush()
                let restarts = await running.service.metricsActor.counterValue(running.service.metrics.restartCounter(supervisor: "workers"))
                #expect(restarts == 1)
            }
        }
    }

    @Test func killWorkerIs409InAPIModeWhereNoWorkerRuns() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database, configure: { $0.mode = .api }) { running in
                let response = try await running.withClient { client in
                    try await client.admin(.post, "/api/v1/admin/chaos/kill-worker")
                }
                #expect(response.status == .conflict)
            }
        }
    }

    @Test func unknownRecordsAndBadIdentifiersGetClearErrors() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    #expect(try await client.admin(.get, "/api/v1/transactions/\(UUID().uuidString)").status == .notFound)
                    #expect(try await client.admin(.get, "/api/v1/transactions/not-a-uuid").status == .unprocessableContent)
                    #expect(try await client.admin(.get, "/api/v1/admin/users/\(UUID().uuidString)/wallet").status == .notFound)
                    #expect(try await client.admin(.post, "/api/v1/admin/users", json: #"{"telegram_id":1}"#).status == .badRequest)
                    #expect(try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":5}"#).status == .unprocessableContent)
                    #expect(try await client.admin(.post, "/api/v1/admin/users", json: "{").status == .badRequest)
                    let created = try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":"zed"}"#)
                    #expect(created.status == .created)
                    #expect(try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":"zed"}"#).status == .conflict)
                    let wallet = try await client.admin(.get, "/api/v1/admin/users/\(created.json["id"] as! String)/wallet")
                    #expect(wallet.status == .ok)
                    #expect(wallet.json["deposit_balance"] as? String == "0")
                    #expect(wallet.json["winning_balance"] as? String == "0")
                    #expect(wallet.json["bonus_balance"] as? String == "0")
                    #expect(try await client.admin(.post, "/api/v1/admin/transactions/\(UUID().uuidString)/requeue").status == .notFound)
                }
            }
        }
    }
}
