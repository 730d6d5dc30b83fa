/// The errors of the deposit service.
///
/// Each carries a log-safe ``message`` that names what is wrong (a field, a route, a
/// component) and never quotes a secret or a request body. Equality compares the code only.
public struct ServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformedRequest
            case invalidField
            case payloadTooLarge
            case unsupportedMediaType
            case unauthorized
            case notFound
            case conflict
            case unavailable
            case storeFailure
            case migrationFailed
            case injectedFault
            case leaseLost
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The body is not JSON, not an object, or lacks a required field (HTTP 400).
        public static let malformedRequest = Code(.malformedRequest)
        /// A field has the wrong type or value (HTTP 422).
        public static let invalidField = Code(.invalidField)
        /// The body exceeds the configured limit (HTTP 413).
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// The body is not declared as JSON (HTTP 415).
        public static let unsupportedMediaType = Code(.unsupportedMediaType)
        /// A signature or token is missing or wrong (HTTP 401).
        public static let unauthorized = Code(.unauthorized)
        /// No such record or route (HTTP 404).
        public static let notFound = Code(.notFound)
        /// The request contradicts what is stored (HTTP 409).
        public static let conflict = Code(.conflict)
        /// The store is unreachable or too slow; retry later (HTTP 503).
        public static let unavailable = Code(.unavailable)
        /// The store answered with an error.
        public static let storeFailure = Code(.storeFailure)
        /// A schema migration could not be applied.
        public static let migrationFailed = Code(.migrationFailed)
        /// A fault injected by a test.
        public static let injectedFault = Code(.injectedFault)
        /// A worker's job lease was taken over by another worker.
        public static let leaseLost = Code(.leaseLost)

        public var description: String {
            switch self.base {
            case .malformedRequest: "malformed request"
            case .invalidField: "invalid field"
            case .payloadTooLarge: "payload too large"
            case .unsupportedMediaType: "unsupported media type"
            case .unauthorized: "unauthorized"
            case .notFound: "not found"
            case .conflict: "conflict"
            case .unavailable: "unavailable"
            case .storeFailure: "store failure"
            case .migrationFailed: "migration failed"
            case .injectedFault: "injected fault"
            case .leaseLost: "lease lost"
            }
        }
    }

    public let code: Code
    /// A log-safe sentence for the client or the operator.
    public let message: String
    /// The error behind this one; not part of ``description``.
    public let underlying: (any Error)?
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String { "\(self.code): \(self.message)" }

    public static func == (lhs: ServiceError, rhs: ServiceError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    public static func malformed(_ message: String, file: String = #fileID, line: Int = #line) -> ServiceError {
        ServiceError(.malformedRequest, message, file: file, line: line)
    }

    public static func invalid(_ message: String, file: String = #fileID, line: Int = #line) -> ServiceError {
        ServiceError(.invalidField, message, file: file, line: line)
    }
}
