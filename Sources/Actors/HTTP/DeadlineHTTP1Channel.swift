import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// An HTTP/1.1 child channel whose every request must arrive whole within a deadline.
///
/// The clock starts at a request's first byte (a connection idle between requests is left
/// to the idle timeout) and stops at the request's end; if the end has not arrived by then,
/// the connection is closed. So a slow sender (headers never finished, a body trickled a
/// byte at a time) cannot hold a connection and its task for ever.
///
/// Two handlers share one ``Deadline``: the first sits before the HTTP decoder and sees the
/// first byte; the second sits after it and sees the request's end.
struct DeadlineHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let readTimeout: TimeAmount
    let onTimeout: @Sendable () -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let deadline = Deadline(timeout: self.readTimeout, onTimeout: self.onTimeout)
        do {
            try channel.pipeline.syncOperations.addHandler(RequestStartHandler(deadline: deadline), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let end = NIOLoopBound(RequestEndHandler(deadline: deadline), eventLoop: channel.eventLoop)
        var configuration = self.base.configuration
        let extra = configuration.additionalChannelHandlers
        configuration.additionalChannelHandlers = { extra() + [end.value] }
        return HTTP1Channel(responder: self.base.responder, configuration: configuration).setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await self.base.handle(value: value, logger: logger)
    }

    /// The deadline of the request being read on one connection; used on its event loop only.
    final class Deadline {
        let timeout: TimeAmount
        let onTimeout: @Sendable () -> Void
        var scheduled: Scheduled<Void>?

        init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
            self.timeout = timeout
            self.onTimeout = onTimeout
        }

        /// Starts the clock unless a request is being read already.
        func requestStarted(_ context: ChannelHandlerContext) {
            guard self.scheduled == nil else { return }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let onTimeout = self.onTimeout
            self.scheduled = context.eventLoop.scheduleTask(in: self.timeout) {
                onTimeout()
                bound.value.close(promise: nil)
            }
        }

        func requestEnded() {
            self.scheduled?.cancel()
            self.scheduled = nil
        }
    }

    /// Before the decoder: the first byte of a request starts the clock.
    final class RequestStartHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer

        let deadline: Deadline

        init(deadline: Deadline) {
            self.deadline = deadline
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.deadline.requestStarted(context)
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.deadline.requestEnded()
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.deadline.requestEnded()
        }
    }

    /// After the decoder: the request's end stops the clock.
    final class RequestEndHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart

        let deadline: Deadline

        init(deadline: Deadline) {
            self.deadline = deadline
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .end = self.unwrapInboundIn(data) { self.deadline.requestEnded() }
            context.fireChannelRead(data)
        }
    }
}
