import Actors
import Foundation
import HummingbirdTesting
import NIOCore
import NIOPosix
import Runtime
import Synchronization
import TestSupport
import Testing

/// A restarted ingress really comes back: after a bind that failed because the port was
/// still held, and after its child was killed under load.
@Suite(.serialized, .timeLimit(.minutes(6))) struct IngressRestartChaosTests {
    static func webhook(_ hash: String) -> String { #"{"tx_hash":"\#(hash)","amount":"1.5","confirmations":12}"# }

    @Test func aPortHeldAtStartIsBoundOnceFreedAndTheServiceTakesWebhooks() async throws {
        try await TestDatabase.with(.sqlite) { database in
            // Another process's listener on the port the service is told to use.
            let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
            let port = try #require(holder.localAddress?.port)
            try await withChildProcesses { processes in
                let process = try processes.start("port-held", environment: [
                    "HOST": "127.0.0.1", "PORT": "\(port)", "DATABASE_URL": database.url,
                ])
                try await process.waitForEvent("ingress_bind_failed")
                let freed = ContinuousClock.now
                try await holder.close()

                #expect(try await process.waitUntilReady() == port, "log tail:\n\(process.logTail())")
                let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.webhook(Self.webhook("after-port-freed"))
                }
                let recovery = freed.duration(to: .now)
                #expect(response.status == .accepted, "\(response.text)")
                let live = try await TestClient.withClient(host: "127.0.0.1", port: port) { try await $0.get("/healthz") }
                #expect(live.status == .ok)
                print("ingress_recovery port_freed_to_first_202_ms=\(recovery.nanoseconds / 1_000_000)")
                #expect(process.isRunning)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theIngressKilledUnderLoadComesBackAndLosesNothingAcknowledged(backend: TestBackend) async throws {
        let port = try await Self.freePort()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, configure: { $0.ingress.port = port }) { running in
                let log = AcknowledgementLog()
                let stop = StopFlag()
                let events = running.service.root.events()
                let (killed, restarted) = try await withThrowingTaskGroup(of: (ContinuousClock.Instant, ContinuousClock.Instant)?.self) { group in
                    for connection in 0..<4 {
                        group.addTask {
                            await Self.sendUntilStopped(port: port, connection: connection, log: log, stop: stop)
                            return nil
                        }
                    }
                    try await withDeadline(.seconds(60), "webhooks accepted before the kill") { await log.waitUntilAccepted(atLeast: 40) }
                    let killed = ContinuousClock.now
                    #expect(await running.service.root.kill("ingress"))
                    try await withDeadline(.seconds(60), "the ingress's restart") {
                        for await event in events {
                            if case .childStarted(child: "ingress", _) = event { return }
                        }
                    }
                    #expect(await running.service.ingress.port() == port)
                    let restarted = ContinuousClock.now
                    let target = log.accepted + 40
                    try await withDeadline(.seconds(60), "webhooks accepted after the restart") { await log.waitUntilAccepted(atLeast: target) }
                    stop.set()
                    try await group.waitForAll()
                    return (killed, restarted)
                }
                let acknowledged = log.acknowledged
                let after = acknowledged.filter { $0.at > restarted }
                #expect(after.count >= 40, "202s after the restart")
                if let first = acknowledged.first(where: { $0.at > killed }) {
                    print("ingress_recovery kill_to_first_202_ms=\(killed.duration(to: first.at).nanoseconds / 1_000_000)")
                }
                // Every transfer answered 202 is in the store, under the tx_id it was answered with.
                for answer in acknowledged {
                    let stored = try await running.service.store.transaction(id: answer.txID)
                    #expect(stored?.txHash == answer.hash, "acknowledged \(answer.hash) as \(answer.txID)")
                }
                try await running.withClient { client in
                    let live = try await client.get("/healthz")
                    let ready = try await client.get("/readyz")
                    #expect(live.status == .ok)
                    #expect(ready.status == .ok)
                }
            }
        }
    }

    /// Sends distinct webhooks one after another on a keep-alive connection, opening a new
    /// connection when one fails (the listener was killed), until `stop` is set.
    static func sendUntilStopped(port: Int, connection: Int, log: AcknowledgementLog, stop: StopFlag) async {
        while !stop.isSet {
            do {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    while !stop.isSet {
                        let hash = "ingress-kill-\(connection)-\(UUID().uuidString)"
                        let response = try await client.webhook(Self.webhook(hash))
                        if response.status == .accepted, let text = response.json["tx_id"] as? String, let txID = UUID(uuidString: text) {
                            log.acknowledged(hash: hash, txID: txID)
                        }
                    }
                }
            } catch {
                // The connection died with the listener: a real sender reconnects after a pause.
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }
}

/// The webhooks answered 202, in order, and waits for their count.
final class AcknowledgementLog: Sendable {
    struct Acknowledgement: Sendable {
        var hash: String
        var txID: UUID
        var at: ContinuousClock.Instant
    }

    private struct State {
        var acknowledged: [Acknowledgement] = []
        var nextID = 0
        var waiters: [Int: (count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    }

    private let state = Mutex(State())

    var acknowledged: [Acknowledgement] { self.state.withLock { $0.acknowledged } }
    var accepted: Int { self.state.withLock { $0.acknowledged.count } }

    func acknowledged(hash: String, txID: UUID) {
        let ready = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.acknowledged.append(Acknowledgement(hash: hash, txID: txID, at: .now))
            let count = state.acknowledged.count
            let ready = state.waiters.filter { $0.value.count <= count }
            for id in ready.keys { state.waiters[id] = nil }
            return ready.values.map(\.continuation)
        }
        for waiter in ready { waiter.resume() }
    }

    /// Returns once at least `count` webhooks were answered 202, or when cancelled (the
    /// caller bounds the wait).
    func waitUntilAccepted(atLeast count: Int) async {
        let id = self.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = self.state.withLock { state -> Bool in
                    if state.acknowledged.count >= count || Task.isCancelled { return true }
                    state.waiters[id] = (count, continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }
}
