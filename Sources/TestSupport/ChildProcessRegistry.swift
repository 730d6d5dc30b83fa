import Foundation
import Synchronization

/// Runs `body`, then SIGKILLs every process `body` started through the registry, however
/// `body` ended, and waits for them to be gone.
public func withChildProcesses<Value>(_ body: (ChildProcessRegistry) async throws -> Value) async throws -> Value {
    let registry = ChildProcessRegistry()
    return try await withCleanup { try await body(registry) } cleanup: { await registry.killAll() }
}

/// The `cricalgo` processes a test started; ``withChildProcesses(_:)`` kills whatever is left.
public final class ChildProcessRegistry: Sendable {
    private let processes = Mutex<[ChildProcess]>([])
    /// Where the children's logs go: `$CRICALGO_CHAOS_LOG_DIR`, else a temporary directory.
    public let logDirectory: URL

    init() {
        if let directory = ProcessInfo.processInfo.environment["CRICALGO_CHAOS_LOG_DIR"], !directory.isEmpty {
            self.logDirectory = URL(fileURLWithPath: directory)
        } else {
            self.logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-process-logs")
        }
    }

    /// Starts `cricalgo <arguments>` (in `directory`, standard error apart with
    /// `separateErrors`); it is killed when the enclosing scope ends.
    public func start(
        _ name: String,
        arguments: [String] = ["serve"],
        environment: [String: String],
        directory: URL? = nil,
        separateErrors: Bool = false,
        file: String = #filePath
    ) throws -> ChildProcess {
        let process = try ChildProcess(
            cricalgo: name, arguments: arguments, environment: environment, directory: directory,
            separateErrors: separateErrors, logDirectory: self.logDirectory, file: file
        )
        self.processes.withLock { $0.append(process) }
        return process
    }

    /// Runs `cricalgo <arguments>` to completion (e.g. `verify --json`); returns its status and output.
    public func run(_ arguments: [String], environment: [String: String], file: String = #filePath) async throws -> (status: Int32, output: String) {
        let process = try self.start(arguments.first ?? "command", arguments: arguments, environment: environment, file: file)
        let status = try await process.waitForExit()
        return (status, process.output)
    }

    func killAll() async {
        let processes = self.processes.withLock { $0 }
        for process in processes { process.forceKill() }
        for process in processes { _ = try? await process.waitForExit() }
    }
}
