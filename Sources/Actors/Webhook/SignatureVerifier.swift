import Crypto
import Foundation

/// Checks webhook signatures when a secret is configured.
///
/// Two schemes are accepted:
/// - HMAC-SHA256 of the raw body, hex, in `X-Signature`, `X-Hub-Signature-256` or
///   `X-Webhook-Signature`, with an optional `sha256=` prefix;
/// - Standard Webhooks: `webhook-id`, `webhook-timestamp` (Unix seconds, within
///   ``Configuration/tolerance`` of now) and `webhook-signature` holding one or more
///   space-separated `v1,<base64>` HMAC-SHA256 signatures of `id.timestamp.body`.
///
/// The key is the secret's UTF-8 bytes, or — for a secret starting with `whsec_` — the
/// base64-decoded remainder, as Standard Webhooks specifies. Comparisons are constant-time.
public struct SignatureVerifier: Sendable {
    public struct Configuration: Sendable {
        /// How far `webhook-timestamp` may be from now, either way. Default 300 s.
        public var tolerance: Duration

        public init(tolerance: Duration = .seconds(300)) {
            self.tolerance = tolerance
        }
    }

    /// The headers a signature can arrive in, lower-cased.
    public struct Headers: Sendable {
        public var signature: String?
        public var webhookID: String?
        public var webhookTimestamp: String?
        public var webhookSignature: String?

        public init(signature: String? = nil, webhookID: String? = nil, webhookTimestamp: String? = nil, webhookSignature: String? = nil) {
            self.signature = signature
            self.webhookID = webhookID
            self.webhookTimestamp = webhookTimestamp
            self.webhookSignature = webhookSignature
        }
    }

    private let key: SymmetricKey
    private let configuration: Configuration

    /// - Throws: ``ServiceError/Code/invalidField`` when a `whsec_` secret is not valid base64.
    public init(secret: String, configuration: Configuration = .init()) throws(ServiceError) {
        if secret.hasPrefix("whsec_") {
            guard let decoded = Data(base64Encoded: String(secret.dropFirst("whsec_".count))), !decoded.isEmpty else {
                throw ServiceError.invalid("WEBHOOK_SECRET starts with whsec_ but the rest is not base64")
            }
            self.key = SymmetricKey(data: decoded)
        } else {
            self.key = SymmetricKey(data: Array(secret.utf8))
        }
        self.configuration = configuration
    }

    /// Verifies `body` against whichever scheme the headers carry.
    ///
    /// - Parameter now: seconds since 1970, for the Standard Webhooks timestamp check.
    /// - Throws: ``ServiceError/Code/unauthorized`` naming what is missing or wrong.
    public func verify(body: [UInt8], headers: Headers, now: Int64) throws(ServiceError) {
        if let signature = headers.signature {
            try self.verifyHex(signature, body: body)
        } else if let signatures = headers.webhookSignature {
            try self.verifyStandard(signatures, headers: headers, body: body, now: now)
        } else {
            throw ServiceError(.unauthorized, "missing signature: send X-Signature or the webhook-signature headers")
        }
    }

    /// Most signatures one `webhook-signature` header may list. Key rotation needs two or
    /// three; a longer list is refused before any work, so a header cannot make a request
    /// cost more than one HMAC.
    public static let maximumSignatureCandidates = 8
    /// Longest `webhook-id` accepted.
    public static let maximumWebhookIDBytes = 256

    private func verifyHex(_ header: String, body: [UInt8]) throws(ServiceError) {
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.utf8.count >= 7, text.prefix(7).lowercased() == "sha256=" { text = text.dropFirst(7) }
        guard let mac = Self.hexBytes(text), mac.count == SHA256.byteCount,
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: self.key)
        else {
            throw ServiceError(.unauthorized, "invalid signature")
        }
    }

    private func verifyStandard(_ header: String, headers: Headers, body: [UInt8], now: Int64) throws(ServiceError) {
        guard let id = headers.webhookID, let timestampText = headers.webhookTimestamp else {
            throw ServiceError(.unauthorized, "missing webhook-id or webhook-timestamp header")
        }
        guard !id.isEmpty, id.utf8.count <= Self.maximumWebhookIDBytes else {
            throw ServiceError(.unauthorized, "webhook-id must be 1 to \(Self.maximumWebhookIDBytes) bytes")
        }
        guard let timestamp = Int64(timestampText.trimmingCharacters(in: .whitespaces)) else {
            throw ServiceError(.unauthorized, "webhook-timestamp must be Unix seconds")
        }
        // Checked: a timestamp near Int64.min or Int64.max must not overflow the difference.
        let (difference, overflow) = now.subtractingReportingOverflow(timestamp)
        let tolerance = self.configuration.tolerance.components.seconds
        guard !overflow, difference.magnitude <= tolerance.magnitude else {
            throw ServiceError(.unauthorized, "webhook-timestamp is outside the allowed tolerance")
        }
        // Several signatures may be listed (key rotation); any valid one is enough. The list
        // is bounded and the expected MAC computed once, so the cost is one HMAC per request.
        let candidates = header.split(separator: " ", maxSplits: Self.maximumSignatureCandidates, omittingEmptySubsequences: true)
        guard candidates.count <= Self.maximumSignatureCandidates else {
            throw ServiceError(.unauthorized, "webhook-signature lists more than \(Self.maximumSignatureCandidates) signatures")
        }
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: self.key))
        // A base64 SHA-256 MAC is 44 characters; anything longer is not one.
        let encodedLength = 44
        var matched = false
        for candidate in candidates where candidate.hasPrefix("v1,") && candidate.utf8.count <= 3 + encodedLength {
            guard let mac = Data(base64Encoded: String(candidate.dropFirst(3))), mac.count == SHA256.byteCount else { continue }
            matched = Self.constantTimeEqual(Array(mac), expected) || matched
        }
        guard matched else { throw ServiceError(.unauthorized, "invalid signature") }
    }

    /// Compares two MACs of equal length without an early exit.
    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for byte in text.utf8 {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

extension SignatureVerifier {
    /// Signs `body` the way ``verify(body:headers:now:)`` expects in `X-Signature`
    /// (for clients, tests and the benchmark harness).
    public func hexSignature(for body: some Sequence<UInt8>) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body), using: self.key)
        return "sha256=" + mac.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }

    /// The Standard Webhooks `webhook-signature` value for `body`.
    public func standardSignature(id: String, timestamp: Int64, body: some Sequence<UInt8>) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: self.key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
