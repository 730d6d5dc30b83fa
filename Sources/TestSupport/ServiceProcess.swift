import Actors
import Foundation
import HummingbirdTesting
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long-running program started by a test as a child process: the `cricalgo` binary, or a
/// PostgreSQL server. Its standard output and error go to a log file.
///
/// The child must stay in the foreground (no daemonising): Foundation notices a child's
/// exit only once every process holding its inherited descriptors is gone. The OS does not
/// tie the child to the test: use ``withServiceProcesses(_:)`` or ``forceKill()`` on every path.
public final class ServiceProcess: Sendable {
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
    private let process: Mutex<Process>
    private let exit: ExitWatch

    /// Starts `executable arguments` with exactly `environment`, its output appended to `logURL`.
    public init(name: String, executable: URL, arguments: [String], environment: [String: String], logURL: URL) throws {
        try FileManager.default.createDirectory(at: logURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let exit = ExitWatch()
        process.terminationHandler = { finished in
            exit.finished(finished.terminationReason == .uncaughtSignal ? 128 + finished.terminationStatus : finished.terminationStatus)
        }
        try process.run()
        try? log.close()
        self.name = name
        self.pid = process.processIdentifier
        self.logURL = logURL
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

    /// The last `lines` lines of the child's output.
    public func logTail(lines: Int = 40) -> String {
        let text = (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

// MARK: - The cricalgo binary

extension ServiceProcess {
    /// The executable: `$CRICALGO_BINARY` if set, else `.build/debug/cricalgo` in the package
    /// that contains `file` (the test command builds it before running the tests).
    public static func binary(file: String = #filePath) throws -> URL {
        if let path = ProcessInfo.processInfo.environment["CRICALGO_BINARY"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Failure.binaryMissing("CRICALGO_BINARY=\(path) is not an executable file")
            }
            return URL(fileURLWithPath: path)
        }
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                let candidate = directory.appendingPathComponent(".build/debug/cricalgo")
                guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
                    throw Failure.binaryMissing(
                        "the cricalgo binary is missing at \(candidate.path); run `swift build` (or ./ops/test.sh) first, or set CRICALGO_BINARY"
                    )
                }
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure.binaryMissing("no Package.swift above \(file); set CRICALGO_BINARY to the cricalgo executable")
    }

    /// Starts `cricalgo <arguments>` with `environment` added to a copy of the test's
    /// environment from which every variable the service reads was removed (nothing leaks in).
    public convenience init(
        cricalgo name: String,
        arguments: [String] = ["serve"],
        environment: [String: String],
        logDirectory: URL,
        file: String = #filePath
    ) throws {
        var merged = ProcessInfo.processInfo.environment
        for variable in ServiceConfiguration.variables { merged[variable] = nil }
        merged.merge(environment) { $1 }
        let logURL = logDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        try self.init(name: name, executable: try Self.binary(file: file), arguments: arguments, environment: merged, logURL: logURL)
    }

    /// Log lines (parsed JSON objects) whose `event` is `event`.
    public func logEvents(_ event: String) -> [[String: Any]] {
        let text = (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard line.contains("\"\(event)\""),
                  let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["event"] as? String == event
            else { return nil }
            return object
        }
    }

    /// Waits until the listener is bound (its `ingress_listening` log line, read every 50 ms)
    /// and `/readyz` answers 200; returns the port. Throws if the process exits first or is
    /// not ready within `timeout`.
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws -> Int {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var port: Int?
        while ContinuousClock.now < deadline {
            if let status = self.exitStatus {
                throw Failure.exitedEarly(name: self.name, status: status, log: self.logTail())
            }
            if port == nil {
                port = self.logEvents("ingress_listening").last.flatMap { ($0["port"] as? String).flatMap(Int.init) }
            }
            if let port, let response = try? await TestClient.withClient(host: "127.0.0.1", port: port, operation: { try await $0.get("/readyz") }),
               response.status == .ok {
                return port
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure.notReady(name: self.name, log: self.logTail())
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

/// Runs `body`, then SIGKILLs every process `body` started through the registry, however
/// `body` ended, and waits for them to be gone.
public func withServiceProcesses<Value>(_ body: (ServiceProcessRegistry) async throws -> Value) async throws -> Value {
    let registry = ServiceProcessRegistry()
    do {
        let value = try await body(registry)
        await registry.killAll()
        return value
    } catch {
        await registry.killAll()
        throw error
    }
}

/// The `cricalgo` processes a test started; ``withServiceProcesses(_:)`` kills whatever is left.
public final class ServiceProcessRegistry: Sendable {
    private let processes = Mutex<[ServiceProcess]>([])
    /// Where the children's logs go: `$CRICALGO_CHAOS_LOG_DIR`, else a temporary directory.
    public let logDirectory: URL

    init() {
        if let directory = ProcessInfo.processInfo.environment["CRICALGO_CHAOS_LOG_DIR"], !directory.isEmpty {
            self.logDirectory = URL(fileURLWithPath: directory)
        } else {
            self.logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-process-logs")
        }
    }

    /// Starts `cricalgo <arguments>`; it is killed when the enclosing scope ends.
    public func start(
        _ name: String,
        arguments: [String] = ["serve"],
        environment: [String: String],
        file: String = #filePath
    ) throws -> ServiceProcess {
        let process = try ServiceProcess(cricalgo: name, arguments: arguments, environment: environment, logDirectory: self.logDirectory, file: file)
        self.processes.withLock { $0.append(process) }
        return process
    }

    /// Runs `cricalgo <arguments>` to completion (e.g. `verify --json`); returns its status and output.
    public func run(_ arguments: [String], environment: [String: String], file: String = #filePath) async throws -> (status: Int32, output: String) {
        let process = try self.start(arguments.first ?? "command", arguments: arguments, environment: environment, file: file)
        let status = try await process.waitForExit()
        return (status, (try? String(contentsOf: process.logURL, encoding: .utf8)) ?? "")
    }

    func killAll() async {
        let processes = self.processes.withLock { $0 }
        for process in processes { process.forceKill() }
        for process in processes { _ = try? await process.waitForExit() }
    }
}
