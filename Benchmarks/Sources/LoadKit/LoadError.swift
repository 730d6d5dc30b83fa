/// The one error type of the load harness: a code and a message fit for a terminal.
///
/// Equality is on the code, so callers can match `error == .badArgument` without caring about
/// the wording.
public struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case badArgument
        case connectFailed
        case timedOut
        case connectionClosed
        case badResponse
        case unreadableReport
    }

    private let code: Code
    /// What went wrong, without request bodies or secrets.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A command-line value or file that cannot be used.
    public static let badArgument = LoadError(.badArgument, "bad argument")
    /// The TCP connection to the target could not be opened.
    public static let connectFailed = LoadError(.connectFailed, "connect failed")
    /// No complete answer within the request timeout.
    public static let timedOut = LoadError(.timedOut, "request timed out")
    /// The server closed the connection before answering.
    public static let connectionClosed = LoadError(.connectionClosed, "connection closed")
    /// The answer was not the HTTP the harness expects.
    public static let badResponse = LoadError(.badResponse, "bad response")
    /// A JSON report given to `--compare` cannot be read.
    public static let unreadableReport = LoadError(.unreadableReport, "unreadable report")

    /// The same error with a more specific message.
    public func with(_ message: String) -> LoadError {
        LoadError(self.code, message)
    }

    /// A short stable name for counting errors by kind (`timedOut`, `connectFailed`, ...).
    public var kind: String { self.code.rawValue }

    public var description: String { self.message }

    public static func == (lhs: LoadError, rhs: LoadError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
