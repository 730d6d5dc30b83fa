import Crypto
import Hummingbird
import Logging

/// 404 when no token is configured, 401 unless `Authorization: Bearer <token>` matches
/// (compared in constant time). The scheme is case-insensitive and may be followed by
/// several spaces or tabs (RFC 7235). Every refusal is logged as a security event with the
/// client's address and the route, never the token.
struct BearerTokenMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let token: String?
    let logger: Logger

    /// Why an authentication failed, as logged.
    enum Refusal: String {
        case missingHeader = "missing_authorization"
        case wrongScheme = "wrong_scheme"
        case wrongToken = "wrong_token"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = self.token else { throw ServiceError(.notFound, "no such route") }
        let refusal: Refusal
        if let header = request.headers[.authorization] {
            if let presented = Self.bearerCredentials(header) {
                guard !Self.constantTimeEqual(presented, Array(token.utf8)) else { return try await next(request, context) }
                refusal = .wrongToken
            } else {
                refusal = .wrongScheme
            }
        } else {
            refusal = .missingHeader
        }
        self.logger.warning("admin_unauthorized", metadata: [
            "security_event": "true",
            "client.address": "\(context.remoteAddress?.ipAddress ?? "unknown")",
            "reason": "\(refusal.rawValue)",
            "route": "\(request.method) \(context.endpointPath ?? String(request.uri.path.prefix(256)))",
        ])
        throw ServiceError(.unauthorized, "missing or wrong bearer token")
    }

    /// The credentials after a case-insensitive `Bearer` scheme and one or more spaces or
    /// tabs; nil for any other scheme.
    static func bearerCredentials(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ ($0 | 0x20) == $1 })
        else { return nil }
        var index = scheme.count
        guard bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") else { return nil }
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
        return Array(bytes[index...])
    }

    /// Compares digests so neither length nor content leaks through timing.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        let left = SHA256.hash(data: lhs)
        let right = SHA256.hash(data: rhs)
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
