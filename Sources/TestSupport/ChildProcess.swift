import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program started by a test as a child process: the `cricalgo` binary, or a PostgreSQL
/// server. Its standard output and error go to a log file (standard error to a second file
/// when asked), never to pipes: a pipe's write end can leak into another child spawned at
/// the same moment by a concurrent test, and then end-of-file never comes.
///
/// The child must stay in the foreground (no daemonising): Foundation notices a child's
/// exit only once every process holding its inherited descriptors is gone. The OS does not
/// tie the child to the test: use ``withChildProcesses(_:)`` or ``forceKill()`` on every path.
public final class ChildProcess: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case binaryMissing(String)
        case exitedEarly(name: String, status: Int32, log: String)
        case notReady(name: String, log: String)

        public var description: String {
            switch self {
            case .binaryMissing(let message): message
            case .exitedEarly(let name, let status, let log): "\(name) exited with status \(status) before it was ready; log tail:\n\(log)"
            case .notReady(let name, let log): "\(name) did not become ready; log tail:\n\(log)"
            }
        }
    }

    /// A name for logs and messages, e.g. `"primary"`.
    public let name: String
    public let pid: Int32
    /// Where the child's output goes.
    public let logURL: URL
    /// Where its standard error goes when kept apart from `logURL`.
    public let errorLogURL: URL?
    private let process: Mutex<Process>
    private let exit: ExitWatch

    /// Starts `executable arguments` with exactly `environment` in `directory` (default: the
    /// test's), its output appended to `logURL` and its standard error to `errorLogURL`
    /// (default: `logURL` too).
    public init(
        name: String,
        executable: URL,
        arguments: [String],
        environment: [String: String],
        directory: URL? = nil,
        logURL: URL,
        errorLogURL: URL? = nil
    ) throws {
        let log = try Self.appending(to: logURL)
        let errorLog = try errorLogURL.map(Self.appending(to:))
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = log
        process.standardError = errorLog ?? log
        process.standardInput = FileHandle.nullDevice
        let exit = ExitWatch()
        process.terminationHandler = { finished in
            exit.finished(finished.terminationReason == .uncaughtSignal ? 128 + finished.terminationStatus : finished.terminationStatus)
        }
        try process.run()
        try? log.close()
        try? errorLog?.close()
        self.name = name
        self.pid = process.processIdentifier
        self.logURL = logURL
        self.errorLogURL = errorLogURL
        self.exit = exit
        self.process = Mutex(process)
    }

    /// The exit status once the process ended (128 + n after signal n), nil while it runs.
    public var exitStatus: Int32? { self.exit.status }

    public var isRunning: Bool { self.exitStatus == nil }

    /// Waits until the process has ended and returns its status (128 + n after signal n).
    /// Throws `CancellationError` if the waiting task is cancelled first.
    @discardableResult
    public func waitForExit() async throws -> Int32 {
        try await self.exit.wait()
    }

    /// Sends `signal` (e.g. `SIGKILL`, `SIGTERM`) unless the process has already ended.
    public func send(_ signal: Int32) {
        guard self.isRunning else { return }
        _ = kill(self.pid, signal)
    }

    /// SIGKILL, for cleanup on every path.
    public func forceKill() {
        self.send(SIGKILL)
    }

    /// Everything written to `logURL` so far (standard output, and standard error unless
    /// it is kept apart).
    public var output: String { (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? "" }

    /// Everything written to `errorLogURL` so far; empty when standard error is not kept apart.
    public var errors: String { self.errorLogURL.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? "" }

    /// The last `lines` lines of the child's output, then of its standard error.
    public func logTail(lines: Int = 40) -> String {
        (self.output + self.errors).split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private static func appending(to url: URL) throws -> FileHandle {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return handle
    }
}

/// Remembers how a child process ended and wakes whoever waits for it.
private final class ExitWatch: Sendable {
    private struct State {
        var status: Int32?
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Int32, any Error>] = [:]
    }

    private let state = Mutex(State())

    var status: Int32? { self.state.withLock { $0.status } }

    func finished(_ status: Int32) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Int32, any Error>] in
            state.status = status
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func wait() async throws -> Int32 {
        let id = self.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = self.state.withLock { state -> Result<Int32, any Error>? in
                    if let status = state.status { return .success(status) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}
