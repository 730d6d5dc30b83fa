import Foundation
import Synchronization

/// The built `cricalgo` binary run as a child process, with its output collected and
/// events to wait on (a log line, the exit), for tests of the command line and the process.
public final class ServiceProcess: Sendable {
    private struct State {
        var output = ""
        var errors = ""
        var terminationStatus: Int32?
        var openPipes = 2
        /// The exit status, once the process ended and both pipes reached end of file.
        var exitCode: Int32? { self.openPipes == 0 ? self.terminationStatus : nil }
        var lineWaiters: [(String, CheckedContinuation<String, Never>)] = []
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    }

    /// Shared with the pipe and termination handlers.
    private final class Box: Sendable {
        let state = Mutex(State())
    }

    private let process: Process
    private let box = Box()

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
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = environment
        process.currentDirectoryURL = directory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        self.process = process
        let box = self.box
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                Self.finish(box) { $0.openPipes -= 1 }
                return
            }
            Self.append(String(decoding: data, as: UTF8.self), to: box, errors: false)
        }
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                Self.finish(box) { $0.openPipes -= 1 }
                return
            }
            Self.append(String(decoding: data, as: UTF8.self), to: box, errors: true)
        }
        process.terminationHandler = { process in
            Self.finish(box) { $0.terminationStatus = process.terminationStatus }
        }
        try process.run()
    }

    /// Records the end of a pipe or of the process; wakes exit waiters once all have ended.
    private static func finish(_ box: Box, _ change: (inout State) -> Void) {
        let (waiters, code) = box.state.withLock { state -> ([CheckedContinuation<Int32, Never>], Int32?) in
            change(&state)
            guard let code = state.exitCode else { return ([], nil) }
            defer { state.exitWaiters = [] }
            return (state.exitWaiters, code)
        }
        if let code {
            for waiter in waiters { waiter.resume(returning: code) }
        }
    }

    private static func append(_ text: String, to box: Box, errors: Bool) {
        let ready = box.state.withLock { state -> [(String, CheckedContinuation<String, Never>)] in
            if errors { state.errors += text } else { state.output += text }
            let all = state.output + state.errors
            var ready: [(String, CheckedContinuation<String, Never>)] = []
            state.lineWaiters.removeAll { waiter in
                guard let line = Self.line(containing: waiter.0, in: all) else { return false }
                ready.append((line, waiter.1))
                return true
            }
            return ready
        }
        for (line, waiter) in ready { waiter.resume(returning: line) }
    }

    private static func line(containing needle: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.contains(needle) }.map(String.init)
    }

    /// Everything written to standard output so far.
    public var output: String { self.box.state.withLock { $0.output } }
    /// Everything written to standard error so far.
    public var errors: String { self.box.state.withLock { $0.errors } }

    /// Waits for the first output line containing `needle` (standard output or error).
    public func line(containing needle: String) async -> String {
        await withCheckedContinuation { continuation in
            let found = self.box.state.withLock { state -> String? in
                if let line = Self.line(containing: needle, in: state.output + state.errors) { return line }
                state.lineWaiters.append((needle, continuation))
                return nil
            }
            if let found { continuation.resume(returning: found) }
        }
    }

    /// Waits for the process to exit and returns its exit status.
    public func exitCode() async -> Int32 {
        await withCheckedContinuation { continuation in
            let code = self.box.state.withLock { state -> Int32? in
                if let code = state.exitCode { return code }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let code { continuation.resume(returning: code) }
        }
    }

    /// Sends `signal` (e.g. `SIGTERM`, `SIGKILL`).
    public func send(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// The port from the `ingress_listening` log line (JSON logs).
    public func listeningPort() async -> Int? {
        let line = await self.line(containing: "\"ingress_listening\"")
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return (object["port"] as? String).flatMap(Int.init) ?? object["port"] as? Int
    }
}
