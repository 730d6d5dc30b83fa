import Foundation
import TestSupport

/// What the command-line suites share: a temporary working directory, the base environment
/// (loopback, any port, JSON logs, an admin token, two workers), and a starter of
/// `cricalgo <arguments>` in that directory with standard error kept apart.
struct CommandLineFixture {
    let directory: URL

    init(prefix: String) throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        ["HOST": "127.0.0.1", "PORT": "0", "LOG_FORMAT": "json", "ADMIN_TOKEN": RunningService.adminToken, "WORKER_CONCURRENCY": "2"]
    }

    /// Runs `body` with a starter of `cricalgo <arguments>`; every process it started is
    /// killed afterwards.
    func withCricalgo(_ body: (_ start: ([String], [String: String]) throws -> ChildProcess) async throws -> Void) async throws {
        try await withChildProcesses { processes in
            try await body { arguments, environment in
                try processes.start(arguments[0], arguments: arguments, environment: environment, directory: self.directory, separateErrors: true)
            }
        }
    }
}
