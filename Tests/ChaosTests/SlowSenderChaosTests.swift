import Actors
import Foundation
import NIOCore
import Synchronization
import TestSupport
import Testing

/// Slow and broken senders over raw TCP: requests trickled a few bytes at a time, bodies
/// cut short, headers never finished, garbage on the wire. None gets a 5xx, none stores a
/// half request, and other clients are served normally all the while.
@Suite(.serialized, .timeLimit(.minutes(4))) struct SlowSenderChaosTests {
    @Test(arguments: TestBackend.available)
    func slowSendersNeitherStallOthersNorStoreHalfRequests(backend: TestBackend) async throws {
        let seed = ChaosSeed.announce("slow-senders-\(backend)")
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                let port = running.port
                let stop = StopFlag()
                let steady = SteadyClient()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Other clients keep sending while the slow ones trickle.
                    group.addTask { try await steady.run(running, until: stop) }
                    try await withThrowingTaskGroup(of: Void.self) { slow in
                        for index in 0..<3 {
                            var generator = seed.generator("slow-\(index)")
                            slow.addTask {
                                // A whole, valid webhook, 1–4 bytes at a time.
                                let body = Array(#"{"tx_hash":"slow-\#(index)","amount":"2.5","confirmations":12}"#.utf8)
                                let response = try await RawHTTPConnection.with(port: port) { inbound, outbound in
                                    try await RawHTTPConnection.trickle(
                                        RawHTTPConnection.webhookRequest(body), chunk: generator.pick(1...4), pause: .milliseconds(generator.pick(2...6)), to: outbound
                                    )
                                    return try await RawHTTPConnection.readResponse(from: inbound)
                                }
                                #expect(response.status == 202, "slow valid webhook: \(response.status) \(response.body)")
                            }
                            slow.addTask {
                                // A body cut off halfway, then the connection closed.
                                let body = Array(#"{"tx_hash":"cut-\#(index)","amount":"2.5","confirmations":12}"#.utf8)
                                let request = RawHTTPConnection.webhookRequest(body)
                                try await RawHTTPConnection.with(port: port) { _, outbound in
                                    try await RawHTTPConnection.trickle(Array(request.dropLast(body.count / 2)), chunk: 3, pause: .milliseconds(3), to: outbound)
                                }
                            }
                            slow.addTask {
                                // Headers trickled and never finished (slowloris), then dropped.
                                let head = Array("POST /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: ".utf8)
                                    + [UInt8](repeating: UInt8(ascii: "z"), count: 100)
                                try await RawHTTPConnection.with(port: port) { _, outbound in
                                    try await RawHTTPConnection.trickle(head, chunk: 2, pause: .milliseconds(4), to: outbound)
                                }
                            }
                            slow.addTask {
                                // A malformed body, slowly: refused like a fast one.
                                let response = try await RawHTTPConnection.with(port: port) { inbound, outbound in
                                    try await RawHTTPConnection.trickle(
                                        RawHTTPConnection.webhookRequest(Array(#"{"tx_hash":"slow-bad","amount":"#.utf8)), chunk: 2, pause: .milliseconds(3), to: outbound
                                    )
                                    return try await RawHTTPConnection.readResponse(from: inbound)
                                }
                                #expect(response.status == 400, "slow malformed body: \(response.status) \(response.body)")
                            }
                        }
                        try await slow.waitForAll()
                    }
                    stop.set()
                    try await group.waitForAll()
                }
                #expect(steady.failures.isEmpty, "answers to the other clients while slow senders trickled: \(steady.failures.prefix(5))")
                #expect(steady.accepted > 0, "the other clients were served meanwhile")
                // The three slow webhooks and the steady client's; nothing from a cut request.
                try await expectHealthy(running, storedDeposits: 3 + steady.accepted)
                for index in 0..<3 {
                    #expect(try await database.rows("SELECT CAST(id AS TEXT) FROM transactions WHERE tx_hash = 'cut-\(index)'").isEmpty)
                }
            }
        }
    }

    /// Requests that are not HTTP, or push its limits, on raw connections: the service
    /// answers 4xx or closes the connection, never 5xx, and keeps serving.
    @Test func garbageOnTheWireGetsA4xxOrAClosedConnection() async throws {
        let requests: [(String, [UInt8])] = [
            ("not HTTP", Array("HELLO THERE\r\n\r\n".utf8)),
            ("binary noise", (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 197 &+ 11) }),
            ("declared length beyond the limit", Array("POST /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n{}".utf8)),
            ("declared length overflowing", Array("POST /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999999\r\n\r\n{}".utf8)),
            ("negative length", Array("POST /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}".utf8)),
            ("two lengths", Array("POST /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}".utf8)),
            ("bad chunk size", Array("POST /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".utf8)),
            ("huge header", Array(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 200_000) + "\r\n\r\n").utf8)),
            ("many headers", Array(("GET /healthz HTTP/1.1\r\nHost: x\r\n" + (0..<5000).map { "X-H\($0): v\r\n" }.joined() + "\r\n").utf8)),
            ("HTTP/0.9", Array("GET /healthz\r\n".utf8)),
            ("unknown method", Array("BREW /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
        ]
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database) { running in
                for (name, bytes) in requests {
                    let response: RawHTTPConnection.Response? = try await RawHTTPConnection.with(port: running.port) { inbound, outbound in
                        // A write may fail once the server has answered and closed: that is allowed.
                        try? await outbound.write(ByteBuffer(bytes: bytes))
                        // No answer at all (the server waits for the rest, or closed) is allowed too.
                        return try? await withDeadline(.seconds(5), name) { try await RawHTTPConnection.readResponse(from: inbound) }
                    }
                    if let response {
                        #expect((400..<500).contains(response.status), "\(name): \(response.status) \(response.body.prefix(120))")
                    }
                }
                try await expectHealthy(running, storedDeposits: 0)
            }
        }
    }
}

/// A client that sends well-formed webhooks and probes back to back until stopped, and
/// remembers every answer that was not the expected one.
final class SteadyClient: Sendable {
    private struct State {
        var accepted = 0
        var failures: [String] = []
    }

    private let state = Mutex(State())

    var accepted: Int { self.state.withLock { $0.accepted } }
    var failures: [String] { self.state.withLock { $0.failures } }

    func run(_ running: RunningService, until stop: StopFlag) async throws {
        try await running.withClient { client in
            var index = 0
            while !stop.isSet {
                index += 1
                let health = try await client.get("/healthz")
                let webhook = try await client.webhook(#"{"tx_hash":"steady-\#(index)","amount":"1","confirmations":1}"#)
                self.state.withLock { state in
                    if health.status != .ok { state.failures.append("healthz \(health.status)") }
                    if webhook.status == .accepted { state.accepted += 1 } else { state.failures.append("webhook \(webhook.status)") }
                }
            }
        }
    }
}
