import Foundation
import NIOCore
import NIOPosix

/// A bare TCP connection for requests no HTTP client sends: bytes trickled one small
/// chunk at a time, bodies cut short, connections dropped mid-request.
struct RawHTTPConnection {
    /// The status line and body of a response read off the wire.
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    enum Failure: Error {
        case closedBeforeResponse(received: Int)
        case malformedResponse(String)
    }

    /// Connects to 127.0.0.1:`port`, runs `body` with the connection, then closes it.
    static func with<Value: Sendable>(
        port: Int,
        _ body: (NIOAsyncChannelInboundStream<ByteBuffer>, NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Value
    ) async throws -> Value {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.socket(SocketOptionLevel(IPPROTO_TCP), TCP_NODELAY), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(inbound, outbound)
        }
    }

    /// Writes `bytes` in chunks of `chunk` bytes with `pause` between them (a slow sender).
    static func trickle(
        _ bytes: [UInt8],
        chunk: Int,
        pause: Duration,
        to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try await outbound.write(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
            if offset < bytes.count { try await ContinuousClock().sleep(for: pause) }
        }
    }

    /// Reads one response (headers and a `Content-Length` body).
    static func readResponse(from inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> Response {
        var received: [UInt8] = []
        for try await buffer in inbound {
            received += buffer.readableBytesView
            if let response = try self.parse(received) { return response }
        }
        throw Failure.closedBeforeResponse(received: received.count)
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headerEnd = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else { return nil }
        let head = String(decoding: bytes[..<headerEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformedResponse(lines[0]) }
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let bodyStart = headerEnd + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return Response(status: status, body: String(decoding: bytes[bodyStart..<(bodyStart + length)], as: UTF8.self))
    }

    /// A complete HTTP/1.1 POST of `body` to the webhook route.
    static func webhookRequest(_ body: [UInt8], contentType: String = "application/json", declaredLength: Int? = nil) -> [UInt8] {
        let head = "POST /api/v1/webhooks/bep20 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(declaredLength ?? body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }
}
