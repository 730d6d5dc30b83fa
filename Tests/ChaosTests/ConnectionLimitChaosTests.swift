import Actors
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Runtime
import TestSupport
import Testing

/// A slow sender is cut off at the read deadline, and the listener holds no more than its
/// connection cap.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ConnectionLimitChaosTests {
    @Test func aRequestNotSentWholeWithinTheReadDeadlineHasItsConnectionClosed() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database, configure: { $0.ingress.requestReadTimeout = .milliseconds(500) }) { running in
                let body = Array(#"{"tx_hash":"half-sent","amount":"1","confirmations":12}"#.utf8)
                let request = RawHTTPConnection.webhookRequest(body)
                let outcome = try await RawHTTPConnection.with(port: running.port) { inbound, outbound in
                    // Headers and half the body, then nothing: the server must end the connection.
                    try await outbound.write(ByteBuffer(bytes: request.dropLast(body.count / 2)))
                    return try await withDeadline(.seconds(30), "the server closing a half-sent request") {
                        do {
                            let response = try await RawHTTPConnection.readResponse(from: inbound)
                            return "answered \(response.status)"
                        } catch RawHTTPConnection.Failure.closedBeforeResponse {
                            return "closed"
                        } catch {
                            return "closed"  // reset by the server
                        }
                    }
                }
                #expect(outcome == "closed")
                await running.service.metricsActor.flush()
                #expect(await running.service.metricsActor.counterValue(running.service.metrics.requestReadTimeouts) == 1)
                #expect(try await database.rows("SELECT CAST(id AS TEXT) FROM transactions WHERE tx_hash = 'half-sent'").isEmpty)
                // Whole requests are still served.
                try await expectHealthy(running, storedDeposits: 0)
            }
        }
    }

    @Test func connectionsBeyondTheCapWaitUntilOneCloses() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database, configure: { $0.ingress.maximumConnections = 2 }) { running in
                let probe = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                // Two connections, each served once and left open.
                let first = try await AnswerWatcher.connect(port: running.port)
                let second = try await AnswerWatcher.connect(port: running.port)
                for open in [first, second] {
                    try await open.send(probe)
                    #expect(try await open.answered.get().hasPrefix("HTTP/1.1 200"))
                }
                let third = try await AnswerWatcher.connect(port: running.port)
                try await third.send(probe)
                // An absence can only be watched for a while: a broken cap shows as an answer here.
                try await Task.sleep(for: .milliseconds(500))
                #expect(!third.hasAnswer, "the third connection was served while two were open")
                try await second.channel.close()
                // Once the second closed, the third is taken and served.
                #expect(try await third.answered.get().hasPrefix("HTTP/1.1 200"))
                try await first.channel.close()
                try await third.channel.close()
            }
        }
    }
}

/// A plain client connection that records the first response's head as it arrives.
final class AnswerWatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    let answered: EventLoopFuture<String>
    private let promise: EventLoopPromise<String>
    private let received = Mutex("")
    private let done = Atomic<Bool>(false)
    nonisolated(unsafe) private(set) var channel: any Channel

    var hasAnswer: Bool { self.done.load(ordering: .acquiring) }

    private init(promise: EventLoopPromise<String>, channel: any Channel) {
        self.promise = promise
        self.answered = promise.futureResult
        self.channel = channel
    }

    static func connect(port: Int) async throws -> AnswerWatcher {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: String.self)
        let box = Mutex<AnswerWatcher?>(nil)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                let watcher = AnswerWatcher(promise: promise, channel: channel)
                box.withLock { $0 = watcher }
                return channel.pipeline.addHandler(watcher)
            }
            .connect(host: "127.0.0.1", port: port).get()
        let watcher = try #require(box.withLock { $0 })
        watcher.channel = channel
        return watcher
    }

    func send(_ text: String) async throws {
        try await self.channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        let text = self.received.withLock { text -> String in
            text += String(buffer: buffer)
            return text
        }
        if text.contains("\r\n\r\n"), !self.done.exchange(true, ordering: .acquiringAndReleasing) {
            self.promise.succeed(text)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.done.exchange(true, ordering: .acquiringAndReleasing) { self.promise.fail(ChannelError.ioOnClosedChannel) }
    }
}
