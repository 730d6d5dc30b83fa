import Foundation
import Logging
import Runtime
import Testing
import TestSupport

@Suite("Supervisor: snapshot, observer, logs", .timeLimit(.minutes(1)))
struct SupervisorSnapshotTests {
    @Test func snapshotEncodesTheTreeWithTheDocumentedKeys() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let clock = MockClock()
        let workers = Supervisor(
            name: "workers",
            configuration: .init(strategy: .oneForAll),
            children: [probe.spec("w1"), probe.spec("w2")],
            clock: clock,
            logger: Logger.silent()
        )
        let root = Supervisor(
            name: "root",
            children: [probe.spec("metrics"), workers.childSpec()],
            clock: clock,
            logger: Logger.silent()
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await root.run() }
            #expect(await starts.next(3) == ["metrics", "w1", "w2"])

            let data = try JSONEncoder().encode(await root.snapshot())
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(Set(json.keys) == ["name", "state", "restarts", "strategy", "children"])
            #expect(json["name"] as? String == "root")
            #expect(json["state"] as? String == "running")
            #expect(json["restarts"] as? Int == 0)
            #expect(json["strategy"] as? String == "one_for_one")

            let children = try #require(json["children"] as? [[String: Any]])
            #expect(children.map { $0["name"] as? String } == ["metrics", "workers"])
            #expect(Set(children[0].keys) == ["name", "state", "restarts"], "a plain child has no strategy or children")
            #expect(Set(children[1].keys) == ["name", "state", "restarts", "strategy", "children"])
            #expect(children[1]["strategy"] as? String == "one_for_all")
            let grandchildren = try #require(children[1]["children"] as? [[String: Any]])
            #expect(grandchildren.map { $0["name"] as? String } == ["w1", "w2"])
            let states: Set<String> = ["starting", "running"]
            #expect(children.allSatisfy { states.contains($0["state"] as? String ?? "") })
            #expect(grandchildren.allSatisfy { $0["restarts"] as? Int == 0 })

            let decoded = try JSONDecoder().decode(SupervisionTreeNode.self, from: data)
            #expect(decoded.children?[1].children?.count == 2)

            await root.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func restartsAreReportedToTheObserverAndLogged() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let observer = RecordingSupervisorObserver()
        let logs = LogCapture()
        let supervisor = Supervisor(
            name: "workers",
            configuration: .init(backoff: immediateRestartBackoff, restartLogEvent: "worker_restarted", childMetadataKey: "worker"),
            children: [probe.spec("w1"), probe.spec("w2")],
            clock: MockClock(),
            logger: logs.logger(),
            observer: observer
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next(2) == ["w1", "w2"])
            probe.crash("w2")
            #expect(await starts.next() == ProbeChild.Start(name: "w2", restarts: 1))
            await supervisor.shutdown()
            try await group.waitForAll()
        }

        #expect(observer.calls == [
            .started(supervisor: "workers", child: "w1"),
            .started(supervisor: "workers", child: "w2"),
            .alive(supervisor: "workers", count: 2),
            .alive(supervisor: "workers", count: 1),
            .restarted(supervisor: "workers", child: "w2", reason: "probe w2 crashed", restarts: 1),
            .started(supervisor: "workers", child: "w2"),
            .alive(supervisor: "workers", count: 2),
            .alive(supervisor: "workers", count: 1),  // shutdown: w2 asked to stop
            .alive(supervisor: "workers", count: 0),  // then w1
        ])

        let restart = try #require(logs.records.first { $0.message == "worker_restarted" })
        #expect(restart.level == .warning)
        #expect(restart.metadata == ["worker": "w2", "reason": "probe w2 crashed", "restarts": "1", "supervisor": "workers"])
        #expect(logs.records.contains { $0.message == "child_started" && $0.level == .debug && $0.metadata["worker"] == "w1" })
        #expect(logs.records.allSatisfy { !$0.message.contains("w1") && !$0.message.contains("w2") }, "data only in metadata")
    }
}
