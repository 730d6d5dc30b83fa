/// The errors the runtime throws.
///
/// Equality compares the ``code`` only. ``description`` is safe to log: it names the
/// component and what went wrong, never a secret or a payload.
public struct RuntimeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case poolAcquireTimeout
            case poolClosed
            case connectionFailed
            case supervisorEscalated
            case supervisorNotRunning
            case supervisorAlreadyRunning
            case childNotFound
            case duplicateChild
            case invalidConfiguration
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// No connection became available within the pool's acquire timeout.
        public static let poolAcquireTimeout = Code(.poolAcquireTimeout)
        /// The pool was closed while the caller waited, or before it asked.
        public static let poolClosed = Code(.poolClosed)
        /// The connection factory could not open a connection.
        public static let connectionFailed = Code(.connectionFailed)
        /// A supervisor exceeded its restart intensity and gave up.
        public static let supervisorEscalated = Code(.supervisorEscalated)
        /// The supervisor is not running, so it cannot take this request.
        public static let supervisorNotRunning = Code(.supervisorNotRunning)
        /// The supervisor is already running; `run()` was called again before it returned.
        public static let supervisorAlreadyRunning = Code(.supervisorAlreadyRunning)
        /// No child has the given name.
        public static let childNotFound = Code(.childNotFound)
        /// A child with the given name already exists.
        public static let duplicateChild = Code(.duplicateChild)
        /// A configuration value is missing or malformed.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String {
            switch self.base {
            case .poolAcquireTimeout: "pool acquire timeout"
            case .poolClosed: "pool closed"
            case .connectionFailed: "connection failed"
            case .supervisorEscalated: "supervisor escalated"
            case .supervisorNotRunning: "supervisor not running"
            case .supervisorAlreadyRunning: "supervisor already running"
            case .childNotFound: "child not found"
            case .duplicateChild: "duplicate child"
            case .invalidConfiguration: "invalid configuration"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// A log-safe sentence with the details (a component or variable name, a count).
    public let message: String
    /// The error that caused this one, if any. Not part of ``description``.
    public let underlying: (any Error)?
    public let file: String
    public let line: Int

    public init(
        _ code: Code,
        _ message: String,
        underlying: (any Error)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String { "\(self.code): \(self.message)" }

    public static func == (lhs: RuntimeError, rhs: RuntimeError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    /// Matches errors by code, so `#expect(throws: RuntimeError.poolAcquireTimeout)` works.
    public static let poolAcquireTimeout = RuntimeError(.poolAcquireTimeout, "")
    public static let poolClosed = RuntimeError(.poolClosed, "")
    public static let connectionFailed = RuntimeError(.connectionFailed, "")
    public static let supervisorEscalated = RuntimeError(.supervisorEscalated, "")
    public static let supervisorNotRunning = RuntimeError(.supervisorNotRunning, "")
    public static let supervisorAlreadyRunning = RuntimeError(.supervisorAlreadyRunning, "")
    public static let childNotFound = RuntimeError(.childNotFound, "")
    public static let duplicateChild = RuntimeError(.duplicateChild, "")
    public static let invalidConfiguration = RuntimeError(.invalidConfiguration, "")
}
