import Actors
import Foundation
import HummingbirdTesting
import Synchronization

extension ChildProcess {
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

    /// Starts `cricalgo <arguments>` in `directory` with `environment` added to a copy of the
    /// test's environment from which every variable the service reads was removed (nothing
    /// leaks in). With `separateErrors`, standard error goes to a file of its own.
    public convenience init(
        cricalgo name: String,
        arguments: [String] = ["serve"],
        environment: [String: String],
        directory: URL? = nil,
        separateErrors: Bool = false,
        logDirectory: URL,
        file: String = #filePath
    ) throws {
        var merged = ProcessInfo.processInfo.environment
        for variable in ServiceConfiguration.variables { merged[variable] = nil }
        merged.merge(environment) { $1 }
        let stem = "\(name)-\(UUID().uuidString.prefix(8))"
        try self.init(
            name: name,
            executable: try Self.binary(file: file),
            arguments: arguments,
            environment: merged,
            directory: directory,
            logURL: logDirectory.appendingPathComponent("\(stem).log"),
            errorLogURL: separateErrors ? logDirectory.appendingPathComponent("\(stem).stderr.log") : nil
        )
    }

    /// Log lines (parsed JSON objects) whose `event` is `event`.
    public func logEvents(_ event: String) -> [[String: Any]] {
        self.output.split(separator: "\n").compactMap { line in
            guard line.contains("\"\(event)\""),
                  let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["event"] as? String == event
            else { return nil }
            return object
        }
    }

    /// Waits until the process has logged `event` (read every 50 ms). Throws if it exits
    /// first or has not logged it within `timeout`.
    public func waitForEvent(_ event: String, timeout: Duration = .seconds(60)) async throws {
        let logged = try await Poll.until(every: .milliseconds(50), within: timeout) {
            if !self.logEvents(event).isEmpty { return true }
            if let status = self.exitStatus {
                throw Failure.exitedEarly(name: self.name, status: status, log: self.logTail())
            }
            return false
        }
        if !logged { throw Failure.notReady(name: self.name, log: self.logTail()) }
    }

    /// Waits until the listener is bound (its `ingress_listening` log line, read every 50 ms)
    /// and `/readyz` answers 200; returns the port. Throws if the process exits first or is
    /// not ready within `timeout`.
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws -> Int {
        var port: Int?
        let ready = try await Poll.until(every: .milliseconds(50), within: timeout) {
            if let status = self.exitStatus {
                throw Failure.exitedEarly(name: self.name, status: status, log: self.logTail())
            }
            if port == nil {
                port = self.logEvents("ingress_listening").last.flatMap { ($0["port"] as? String).flatMap(Int.init) }
            }
            guard let port,
                  let response = try? await TestClient.withClient(host: "127.0.0.1", port: port, operation: { try await $0.get("/readyz") })
            else { return false }
            return response.status == .ok
        }
        guard ready, let port else { throw Failure.notReady(name: self.name, log: self.logTail()) }
        return port
    }
}
