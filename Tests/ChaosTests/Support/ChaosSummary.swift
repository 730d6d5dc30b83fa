import Foundation

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
