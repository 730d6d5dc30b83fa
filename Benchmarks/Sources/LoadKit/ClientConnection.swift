import NIOCore
import NIOHTTP1
import NIOPosix

/// A request ready to be written.
struct PreparedRequest {
    var head: HTTPRequestHead
    var body: ByteBuffer?
}

/// A complete HTTP answer and when its last byte arrived (monotonic nanoseconds).
struct HTTPAnswer {
    var status: Int
    var body: ByteBuffer
    var receivedAt: UInt64
}

/// One keep-alive HTTP/1.1 connection to the target, one request at a time (no pipelining).
///
/// Lives on one event loop and is only touched from it, like a channel handler. A request
/// sent while disconnected connects first; a connection the server closes is reopened by the
/// next request. Timeouts are enforced by the owner calling ``expire(now:timeout:)``
/// periodically, which is cheaper than one timer per request.
final class ClientConnection {
    typealias Completion = (Result<HTTPAnswer, LoadError>) -> Void

    /// Legal transitions: `disconnected → connecting` (connect or send);
    /// `connecting → ready | disconnected` (connect outcome);
    /// `ready → busy` (send); `busy → ready` (answer, keep-alive);
    /// `busy → disconnected` (answer with close, timeout, channel closed).
    private enum State {
        case disconnected
        case connecting(pending: (PreparedRequest, Completion)?, waiters: [EventLoopPromise<Void>])
        case ready(Channel)
        case busy(Channel, Completion, sentAt: UInt64)
    }

    let eventLoop: any EventLoop
    private let target: TargetURL
    private var state = State.disconnected

    init(eventLoop: any EventLoop, target: TargetURL) {
        self.eventLoop = eventLoop
        self.target = target
    }

    /// Whether a request is in flight (or waiting for the connection to open).
    var isBusy: Bool {
        switch self.state {
        case .busy: true
        case .connecting(let pending, _): pending != nil
        case .disconnected, .ready: false
        }
    }

    /// Opens the connection ahead of the first request.
    func connect() -> EventLoopFuture<Void> {
        self.eventLoop.preconditionInEventLoop()
        switch self.state {
        case .ready, .busy:
            return self.eventLoop.makeSucceededVoidFuture()
        case .connecting(let pending, var waiters):
            let promise = self.eventLoop.makePromise(of: Void.self)
            waiters.append(promise)
            self.state = .connecting(pending: pending, waiters: waiters)
            return promise.futureResult
        case .disconnected:
            let promise = self.eventLoop.makePromise(of: Void.self)
            self.open(pending: nil, waiters: [promise])
            return promise.futureResult
        }
    }

    /// Sends `request`; `completion` runs on the event loop with the answer or the failure.
    ///
    /// - Precondition: no other request is in flight on this connection.
    func send(_ request: PreparedRequest, completion: @escaping Completion) {
        self.eventLoop.preconditionInEventLoop()
        switch self.state {
        case .ready(let channel):
            self.write(request, on: channel, completion: completion)
        case .disconnected:
            self.open(pending: (request, completion), waiters: [])
        case .connecting(nil, let waiters):
            self.state = .connecting(pending: (request, completion), waiters: waiters)
        case .connecting(.some, _), .busy:
            preconditionFailure("ClientConnection.send while a request is in flight")
        }
    }

    /// Fails the request in flight if it was sent more than `timeout` nanoseconds before `now`.
    func expire(now: UInt64, timeout: UInt64) {
        guard case .busy(let channel, let completion, let sentAt) = self.state, now > sentAt, now - sentAt > timeout else {
            return
        }
        self.state = .disconnected
        channel.close(promise: nil)
        completion(.failure(.timedOut))
    }

    /// Closes the connection; a request in flight fails with ``LoadError/connectionClosed``.
    func close() {
        switch self.state {
        case .ready(let channel):
            self.state = .disconnected
            channel.close(promise: nil)
        case .busy(let channel, let completion, _):
            self.state = .disconnected
            channel.close(promise: nil)
            completion(.failure(.connectionClosed))
        case .connecting, .disconnected:
            break
        }
    }

    private func open(pending: (PreparedRequest, Completion)?, waiters: [EventLoopPromise<Void>]) {
        self.state = .connecting(pending: pending, waiters: waiters)
        let bound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let future = ClientBootstrap(group: self.eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerHandler(connection: bound.value))
                }
            }
            .connect(host: self.target.host, port: self.target.port)
        future.assumeIsolated().whenComplete { result in
            self.connected(result)
        }
    }

    private func connected(_ result: Result<Channel, any Error>) {
        guard case .connecting(let pending, let waiters) = self.state else {
            // Closed while connecting.
            if case .success(let channel) = result { channel.close(promise: nil) }
            return
        }
        switch result {
        case .success(let channel):
            self.state = .ready(channel)
            for waiter in waiters { waiter.succeed() }
            if let (request, completion) = pending {
                self.write(request, on: channel, completion: completion)
            }
        case .failure(let error):
            self.state = .disconnected
            let failure = LoadError.connectFailed.with("connect to \(self.target) failed: \(error)")
            for waiter in waiters { waiter.fail(failure) }
            pending?.1(.failure(failure))
        }
    }

    private func write(_ request: PreparedRequest, on channel: Channel, completion: @escaping Completion) {
        self.state = .busy(channel, completion, sentAt: NIODeadline.now().uptimeNanoseconds)
        channel.write(HTTPClientRequestPart.head(request.head), promise: nil)
        if let body = request.body {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    // MARK: Events from the channel

    fileprivate func answerReceived(_ answer: HTTPAnswer, keepAlive: Bool, channel: Channel) {
        guard case .busy(let current, let completion, _) = self.state, current === channel else { return }
        if keepAlive {
            self.state = .ready(channel)
        } else {
            self.state = .disconnected
            channel.close(promise: nil)
        }
        completion(.success(answer))
    }

    fileprivate func channelClosed(_ channel: Channel) {
        switch self.state {
        case .ready(let current) where current === channel:
            self.state = .disconnected
        case .busy(let current, let completion, _) where current === channel:
            self.state = .disconnected
            completion(.failure(.connectionClosed))
        default:
            break
        }
    }
}

/// Collects one answer at a time and hands it to its ``ClientConnection``.
private final class AnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    /// The connection owns the channel that owns this handler; weak breaks the cycle.
    private weak var connection: ClientConnection?
    private var status = 0
    private var keepAlive = true
    private var body: ByteBuffer?

    init(connection: ClientConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.status = Int(head.status.code)
            self.keepAlive = head.isKeepAlive
            self.body = nil
        case .body(var part):
            if self.body == nil {
                self.body = part
            } else {
                self.body!.writeBuffer(&part)
            }
        case .end:
            let answer = HTTPAnswer(
                status: self.status,
                body: self.body ?? ByteBuffer(),
                receivedAt: NIODeadline.now().uptimeNanoseconds
            )
            self.body = nil
            self.connection?.answerReceived(answer, keepAlive: self.keepAlive, channel: context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connection?.channelClosed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
