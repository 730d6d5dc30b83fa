import ArgumentParser
import Foundation

/// Flags shared by every command; each overrides the environment variable it names.
struct CommonOptions: ParsableArguments {
    @Option(help: "Address to bind (HOST).") var host: String?
    @Option(help: "Port to bind (PORT).") var port: String?
    @Option(name: .customLong("database-url"), help: "postgres:// URL; unset for the embedded SQLite file (DATABASE_URL).")
    var databaseURL: String?
    @Option(help: "Number of deposit workers (WORKER_CONCURRENCY).") var workers: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "json or text (LOG_FORMAT).") var logFormat: String?

    /// The environment with the flags folded in under their variable names.
    func environment() -> [String: String] {
        var values = ProcessInfo.processInfo.environment
        let overrides: [(String, String?)] = [
            ("HOST", self.host), ("PORT", self.port), ("DATABASE_URL", self.databaseURL),
            ("WORKER_CONCURRENCY", self.workers), ("LOG_LEVEL", self.logLevel), ("LOG_FORMAT", self.logFormat),
        ]
        for (name, value) in overrides {
            if let value { values[name] = value }
        }
        if self.workers != nil { values["CELERY_WORKER_CONCURRENCY"] = nil }
        return values
    }
}
