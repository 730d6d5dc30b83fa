import Foundation
import Synchronization

/// The JSON summary each chaos run writes, one file per run, to `CRICALGO_CHAOS_REPORT_DIR`
/// (default: a fresh temporary directory, printed once).
struct ChaosSummary: Codable, Sendable {
    /// Percentiles of a set of durations, in milliseconds.
    struct Milliseconds: Codable, Sendable {
        var count: Int
        var p50: Double
        var p90: Double
        var max: Double

        init?(_ durations: [Duration]) {
            guard !durations.isEmpty else { return nil }
            let sorted = durations.map(\.milliseconds).sorted()
            // Nearest rank: the smallest value with at least `quantile` of the values at or below it.
            func rank(_ quantile: Double) -> Double {
                let index = Swift.max(0, Int((quantile * Double(sorted.count)).rounded(.up)) - 1)
                return (sorted[index] * 10).rounded() / 10
            }
            self.count = sorted.count
            self.p50 = rank(0.5)
            self.p90 = rank(0.9)
            self.max = (sorted[sorted.count - 1] * 10).rounded() / 10
        }
    }

    var run: String
    var backend: String
    var seed: UInt64
    var soak: Bool
    var kills = 0
    var restarts = 0
    var webhooksSent = 0
    var webhooksAccepted = 0
    /// 503 answers (the store was down or a fault was injected at ingest).
    var webhooksUnavailable = 0
    /// Requests that got no answer (the process was killed under them).
    var webhooksUnanswered = 0
    var distinctTransfers = 0
    /// Transfers with more than one tx_id, deposits credited more than once, or balances off.
    var duplicatesFound = 0
    /// Transfers answered 202 that are missing from the store or were never credited.
    var lost = 0
    var faultsInjected: Int?
    /// Jobs a killed process held that another process finished after their leases expired.
    var leasesTakenOver: Int?
    /// From the SIGKILL to the survivor finishing each job the killed process held.
    var killToTakeoverMs: Milliseconds?
    /// From a kill to the supervisor's start of the replacement (worker kills).
    var killToReplacementMs: Milliseconds?
    /// From starting a killed process again to its readiness (process kills).
    var restartToReadyMs: Milliseconds?
    var databaseDownMs: Double?
    var databaseBackToFirst202Ms: Double?
    var seconds: Double = 0

    init(run: String, backend: String, seed: ChaosSeed) {
        self.run = run
        self.backend = backend
        self.seed = seed.value
        self.soak = ChaosSettings.isSoak
    }
}

extension ChaosSummary {
    /// Copies the webhook counts of `load`.
    mutating func record(_ load: LoadResult) {
        self.webhooksSent = load.sent
        self.webhooksAccepted = load.accepted
        self.webhooksUnavailable = load.unavailable
        self.webhooksUnanswered = load.unanswered
        self.distinctTransfers = load.acceptedTransfers.count
    }
}

enum ChaosReport {
    /// The report directory, created on first use.
    static let directory: URL = {
        let url: URL
        if let path = ProcessInfo.processInfo.environment["CRICALGO_CHAOS_REPORT_DIR"], !path.isEmpty {
            url = URL(fileURLWithPath: path)
        } else {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-chaos-\(Int(Date().timeIntervalSince1970))-\(getpid())")
        }
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        print("chaos reports in \(url.path)")
        return url
    }()

    /// Writes `summary` as `<run>-<backend>.json` and returns the file.
    @discardableResult
    static func write(_ summary: ChaosSummary) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let name = "\(summary.run)-\(summary.backend)".map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        let file = Self.directory.appendingPathComponent(String(name) + ".json")
        try encoder.encode(summary).write(to: file)
        print("chaos summary \(file.path): kills=\(summary.kills) restarts=\(summary.restarts) sent=\(summary.webhooksSent) "
            + "accepted=\(summary.webhooksAccepted) duplicates=\(summary.duplicatesFound) lost=\(summary.lost)")
        return file
    }
}

extension Duration {
    var milliseconds: Double {
        Double(self.components.seconds) * 1000 + Double(self.components.attoseconds) / 1e15
    }
}
