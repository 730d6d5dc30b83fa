import Actors

/// The webhooks the harness sends: one body per sequence number, the same body every time the
/// number is sent again (a repeat), signed the way the service checks.
///
/// Body: `{"tx_hash":"bench-<run>-<n>","amount":"1.5","confirmations":12,"user_id":"<uuid>"}`;
/// `user_id` is left out when no user ids were given (the deposits then end `unmatched`).
public struct WebhookPayload: Sendable {
    /// How bodies are signed.
    public enum Signing: Sendable {
        /// No signature header (the service runs without `WEBHOOK_SECRET`).
        case none
        /// `X-Signature: sha256=<hex HMAC-SHA256(body)>`.
        case hex(SignatureVerifier)
        /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`.
        case standard(SignatureVerifier)
    }

    public struct Configuration: Sendable {
        /// Distinguishes this run's hashes from every other run's. Default: random.
        public var runID: String
        /// Probability that a request re-sends an earlier, already answered body. Default 0.
        public var repeatRate: Double
        /// Default ``Signing/none``.
        public var signing: Signing
        /// Users the deposits credit, assigned round-robin by sequence number. Default none.
        public var userIDs: [String]
        /// Default `"1.5"`.
        public var amount: String
        /// Default 12 (the service's default threshold, so deposits are queued at once).
        public var confirmations: Int

        public init() {
            var generator = SystemRandomNumberGenerator()
            self.runID = String(generator.next() & 0xFFFF_FFFF, radix: 16)
            self.repeatRate = 0
            self.signing = .none
            self.userIDs = []
            self.amount = "1.5"
            self.confirmations = 12
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The transaction hash of sequence number `n`.
    public func txHash(_ sequence: Int) -> String {
        "bench-\(self.configuration.runID)-\(sequence)"
    }

    /// The JSON body of sequence number `n`.
    public func body(_ sequence: Int) -> [UInt8] {
        var text = #"{"tx_hash":""#
        text += self.txHash(sequence)
        text += #"","amount":""#
        text += self.configuration.amount
        text += #"","confirmations":"#
        text += String(self.configuration.confirmations)
        let users = self.configuration.userIDs
        if !users.isEmpty {
            text += #","user_id":""#
            text += users[sequence % users.count]
            text += "\""
        }
        text += "}"
        return Array(text.utf8)
    }

    /// Whether ``signatureHeaders(body:sequence:unixSeconds:)`` reads the time.
    public var needsTimestamp: Bool {
        if case .standard = self.configuration.signing { return true }
        return false
    }

    /// Signature headers for `body` (none when unsigned).
    ///
    /// - Parameter unixSeconds: the wall-clock time, for the Standard Webhooks timestamp.
    public func signatureHeaders(body: [UInt8], sequence: Int, unixSeconds: Int64) -> [(String, String)] {
        switch self.configuration.signing {
        case .none:
            return []
        case .hex(let signer):
            return [("X-Signature", signer.hexSignature(for: body))]
        case .standard(let signer):
            let id = "msg_\(self.configuration.runID)_\(sequence)"
            return [
                ("webhook-id", id),
                ("webhook-timestamp", String(unixSeconds)),
                ("webhook-signature", signer.standardSignature(id: id, timestamp: unixSeconds, body: body)),
            ]
        }
    }
}

/// A small, fast, seedable generator (SplitMix64) so each event loop draws its own numbers
/// without locks.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
