import Foundation
import Synchronization

/// The built `cricalgo` binary run as a child process, for tests of the command line and
/// of the process as a whole.
///
/// Output goes to files rather than pipes: a pipe's write end can leak into another child
/// spawned at the same moment by a concurrent test, and then end-of-file never comes. Being
/// an external process, it is watched by polling.
public final class ServiceProcess: Sendable {
    private let process: Process
    private let directory: URL

    /// `$(swift build --show-bin-path)/cricalgo`, found from this source file's location.
    public static var binary: URL {
        var directory = URL(fileURLWithPath: #filePath)
        while directory.path != "/" {
            directory.deleteLastPathComponent()
            let candidate = directory.appendingPathComponent(".build/debug/cricalgo")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "/nonexistent/cricalgo")
    }

    /// Starts `cricalgo <arguments>` in `directory` with exactly `environment` (plus PATH).
    public init(_ arguments: [String], environment: [String: String], directory: URL) throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let output = logs.appendingPathComponent("stdout")
        let errors = logs.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        self.process = process
        self.directory = logs
        try process.run()
    }

    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Everything written to standard output so far.
    public var output: String { self.read("stdout") }
    /// Everything written to standard error so far.
    public var errors: String { self.read("stderr") }

    private func read(_ name: String) -> String {
        (try? String(contentsOf: self.directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// Waits for the first output line containing `needle` (standard output or error); nil
    /// if the process exits without writing one.
    public func line(containing needle: String) async -> String? {
        while true {
            let running = self.process.isRunning
            if let line = (self.output + self.errors).split(separator: "\n").first(where: { $0.contains(needle) }) {
                return String(line)
            }
            if !running { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the process to exit and returns its exit status.
    public func exitCode() async -> Int32 {
        while self.process.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return self.process.terminationStatus
    }

    /// Sends `signal` (e.g. `SIGTERM`, `SIGKILL`).
    public func send(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// The port from the `ingress_listening` log line (JSON logs).
    public func listeningPort() async -> Int? {
        guard let line = await self.line(containing: "\"ingress_listening\""),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        return (object["port"] as? String).flatMap(Int.init) ?? object["port"] as? Int
    }
}
