import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A stand-in for the service on a loopback port: accepts webhooks (the same tx_hash always
/// gets the same tx_id), serves their status, and can be told to lose some.
final class FakeWebhookService: Sendable {
    struct State {
        var ids: [String: UUID] = [:]
        var hashes: [UUID: String] = [:]
        var polls: [UUID: Int] = [:]
        var webhooks = 0
    }

    let state = Mutex(State())
    /// Every `loseEvery`-th accepted deposit is missing from the status route (0: none).
    let loseEvery: Int
    /// Polls answered `queued` before a deposit shows `credited`.
    let pollsBeforeCredit: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    var port: Int { self.channel.localAddress!.port! }

    init(loseEvery: Int = 0, pollsBeforeCredit: Int = 0) async throws {
        self.loseEvery = loseEvery
        self.pollsBeforeCredit = pollsBeforeCredit
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = Box()
        self.channel = try await ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(service: box.service!))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        box.service = self
    }

    func shutdown() async throws {
        try await self.channel.close()
        try await self.group.shutdownGracefully()
    }

    var webhooks: Int { self.state.withLock { $0.webhooks } }

    fileprivate func answer(method: HTTPMethod, uri: String, body: ByteBuffer) -> (HTTPResponseStatus, String) {
        if method == .POST, uri == "/api/v1/webhooks/bep20" {
            let text = String(buffer: body)
            guard let start = text.range(of: #""tx_hash":""#), let end = text[start.upperBound...].firstIndex(of: "\"") else {
                return (.badRequest, #"{"ok":false,"error":"missing required field: tx_hash"}"#)
            }
            let hash = String(text[start.upperBound..<end])
            let id = self.state.withLock { state -> UUID in
                state.webhooks += 1
                if let id = state.ids[hash] { return id }
                let id = UUID()
                state.ids[hash] = id
                if self.loseEvery == 0 || state.ids.count % self.loseEvery != 0 { state.hashes[id] = hash }
                return id
            }
            return (.accepted, #"{"ok":true,"tx_id":""# + id.uuidString.lowercased() + #""}"#)
        }
        let prefix = "/api/v1/transactions/"
        if method == .GET, uri.hasPrefix(prefix), let id = UUID(uuidString: String(uri.dropFirst(prefix.count))) {
            let found = self.state.withLock { state -> (String, Int)? in
                guard let hash = state.hashes[id] else { return nil }
                state.polls[id, default: 0] += 1
                return (hash, state.polls[id]!)
            }
            guard let (hash, polls) = found else { return (.notFound, #"{"ok":false,"error":"no transaction with this tx_id"}"#) }
            let status = polls > self.pollsBeforeCredit ? "credited" : "queued"
            let stamp = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
            return (.ok, #"{"tx_id":""# + id.uuidString.lowercased() + #"","tx_hash":""# + hash + #"","status":""# + status
                + #"","processed_at":""# + stamp + #""}"#)
        }
        return (.notFound, #"{"ok":false,"error":"no route"}"#)
    }

    /// Hands the service to handlers created before `init` finished.
    private final class Box: @unchecked Sendable {
        // Written once, before the server accepts its first connection (the port is not
        // known to anyone until `init` returns), and only read afterwards.
        var service: FakeWebhookService?
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let service: FakeWebhookService
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(service: FakeWebhookService) {
            self.service = service
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body.clear()
            case .body(var part):
                self.body.writeBuffer(&part)
            case .end:
                guard let head = self.head else { return }
                let (status, text) = self.service.answer(method: head.method, uri: head.uri, body: self.body)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(text.utf8.count))
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
