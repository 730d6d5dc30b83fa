import Actors
import Foundation
import Logging
import Runtime
import Testing

/// A deposit refused at the balance ceiling is counted twice over: under
/// `deposits_total{outcome="balance_ceiling"}` with the other outcomes, and by
/// `deposit_balance_ceiling_total`, which the CricalgoDepositBalanceCeiling alert watches.
@Suite(.timeLimit(.minutes(1))) struct BalanceCeilingMetricTests {
    @Test func aRefusalAtTheCeilingIsCountedAndExposed() async throws {
        let actor = MetricsActor(logger: Logger(label: "test-metrics"))
        let metrics = ServiceMetrics(recorder: actor.recorder)
        let running = Task { await actor.run() }
        defer { running.cancel() }

        await actor.flush()
        #expect(await actor.exposition().contains("deposit_balance_ceiling_total 0"))
        metrics.recordOutcome(JobOutcome.balanceCeiling.rawValue)
        metrics.recordOutcome(JobOutcome.credited.rawValue)
        await actor.flush()
        #expect(await actor.counterValue(metrics.balanceCeiling) == 1)
        let exposition = await actor.exposition()
        #expect(exposition.contains("deposit_balance_ceiling_total 1"), "\(exposition)")
        #expect(exposition.contains(#"deposits_total{outcome="balance_ceiling"} 1"#), "\(exposition)")
    }
}
