import Foundation

/// How big a chaos run is: small enough for CI by default, much longer with
/// `CRICALGO_CHAOS_SOAK=1`.
struct ChaosSettings: Sendable {
    /// Webhooks per worker-kill run (20 % of them repeats).
    var killRunWebhooks: Int
    /// Webhooks per fault-point run.
    var faultRunWebhooks: Int
    /// Crashes injected per fault-point run at most (each one a worker restart, with backoff).
    var faultRunCrashes: Int
    /// SIGKILL-and-restart rounds against the real binary.
    var processKillRounds: Int
    /// How long load flows before each SIGKILL, at most.
    var processKillLoad: ClosedRange<Int>
    /// Generated bodies per bad-input property.
    var badInputCases: Int
    /// How long PostgreSQL stays down in the outage run.
    var databaseDowntime: Duration
    /// Concurrent HTTP connections sending webhooks.
    var connections: Int

    /// Whether `CRICALGO_CHAOS_SOAK` asks for the long settings.
    static let isSoak = ["1", "true"].contains(ProcessInfo.processInfo.environment["CRICALGO_CHAOS_SOAK"] ?? "")

    static let current: ChaosSettings = isSoak ? .soak : .ci

    static let ci = ChaosSettings(
        killRunWebhooks: 2000,
        faultRunWebhooks: 250,
        faultRunCrashes: 8,
        processKillRounds: 3,
        processKillLoad: 400...1200,
        badInputCases: 300,
        databaseDowntime: .seconds(3),
        connections: 16
    )

    static let soak = ChaosSettings(
        killRunWebhooks: 20000,
        faultRunWebhooks: 2000,
        faultRunCrashes: 24,
        processKillRounds: 12,
        processKillLoad: 300...3000,
        badInputCases: 5000,
        databaseDowntime: .seconds(20),
        connections: 32
    )
}
