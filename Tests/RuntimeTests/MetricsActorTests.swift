import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Runtime

/// Runs `body` with a running actor; cancels `run()` afterwards and waits for it to return.
func withRunningMetrics<T: Sendable>(
    _ actor: MetricsActor = MetricsActor(logger: .silent("metrics-test")),
    _ body: (MetricsActor) async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await actor.run() }
        let result = try await withCleanup { try await body(actor) } cleanup: { group.cancelAll() }
        try await group.waitForAll()
        return result
    }
}

@Suite("MetricsActor")
struct MetricsActorTests {
    @Test("concurrent recorders lose no sample")
    func concurrentRecordersLoseNothing() async throws {
        let tasks = 16
        let perTask = 10_000
        try await withRunningMetrics { metrics in
            let recorder = metrics.recorder
            let requests = recorder.counter("test_requests_total", [("path", "/a")], help: "Requests.")
            let latency = recorder.histogram("test_latency_seconds", help: "Latency.")
            let depth = recorder.gauge("test_depth", help: "Depth.")

            await withTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for sample in 0..<perTask {
                            recorder.increment(requests)
                            recorder.observe(latency, .microseconds(sample % 1_000 + 1))
                            recorder.set(depth, to: Double(task))
                        }
                    }
                }
            }
            await metrics.flush()

            let total = tasks * perTask
            #expect(await metrics.counterValue(requests) == Int64(total))
            let summary = try #require(await metrics.summary(latency))
            #expect(summary.count == UInt64(total))
            #expect(summary.max == .milliseconds(1))
            let lastDepth = try #require(await metrics.gaugeValue(depth))
            #expect((0..<Double(tasks)).contains(lastDepth))
            let exposition = await metrics.exposition()
            #expect(exposition.contains("test_requests_total{path=\"/a\"} \(total)\n"))
            #expect(exposition.contains("test_latency_seconds_count \(total)\n"))
        }
    }

    @Test("a pending sample takes 32 bytes, as the memory note on MetricsActor says")
    func sampleSize() {
        #expect(MemoryLayout<MetricsMessage>.stride == 32)
    }

    @Test("counters add their amounts and gauges keep the last value")
    func valuesAccumulate() async throws {
        try await withRunningMetrics { metrics in
            let bytes = metrics.recorder.counter("test_bytes_total", help: "Bytes.")
            let waiters = metrics.recorder.gauge("test_waiters", help: "Waiters.")
            #expect(await metrics.gaugeValue(waiters) == nil)

            metrics.recorder.increment(bytes, by: 40)
            metrics.recorder.increment(bytes)
            metrics.recorder.increment(bytes, by: 0)
            metrics.recorder.set(waiters, to: 3)
            metrics.recorder.set(waiters, to: 1.5)
            await metrics.flush()

            #expect(await metrics.counterValue(bytes) == 41)
            #expect(await metrics.gaugeValue(waiters) == 1.5)
        }
    }

    @Test("samples recorded before run() are applied when it runs")
    func samplesBeforeRunAreKept() async throws {
        let metrics = MetricsActor(logger: .silent("metrics-test"))
        let early = metrics.recorder.counter("test_early_total", help: "Early.")
        let latency = metrics.recorder.histogram("test_early_seconds", help: "Early latency.")
        for _ in 0..<250 {
            metrics.recorder.increment(early)
            metrics.recorder.observe(latency, .milliseconds(3))
        }
        #expect(await metrics.counterValue(early) == 0)

        try await withRunningMetrics(metrics) { metrics in
            await metrics.flush()
            #expect(await metrics.counterValue(early) == 250)
            #expect(await metrics.summary(latency)?.count == 250)
        }
    }

    @Test("a cancelled run leaves the stream usable for the next run")
    func restartAfterCancellation() async throws {
        let metrics = MetricsActor(logger: .silent("metrics-test"))
        let events = metrics.recorder.counter("test_events_total", help: "Events.")

        try await withRunningMetrics(metrics) { metrics in
            metrics.recorder.increment(events, by: 5)
            await metrics.flush()
        }
        // Recorded while no run() is draining: buffered, not lost.
        metrics.recorder.increment(events, by: 7)
        try await withRunningMetrics(metrics) { metrics in
            await metrics.flush()
            #expect(await metrics.counterValue(events) == 12)
        }
    }

    @Test("cancellation applies every sample recorded before it")
    func cancellationDrainsBacklog() async throws {
        let metrics = MetricsActor(logger: .silent("metrics-test"))
        let events = metrics.recorder.counter("test_backlog_total", help: "Backlog.")
        for _ in 0..<10_000 {
            metrics.recorder.increment(events)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await metrics.run() }
            group.cancelAll()
        }
        #expect(await metrics.counterValue(events) == 10_000)
    }

    @Test("graceful shutdown ends run() after applying earlier samples")
    func gracefulShutdown() async throws {
        let metrics = MetricsActor(logger: .silent("metrics-test"))
        let events = metrics.recorder.counter("test_shutdown_total", help: "Shutdown.")
        let group = ServiceGroup(services: [metrics], logger: .silent("metrics-test"))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await metrics.flush()
            metrics.recorder.increment(events, by: 3)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await metrics.counterValue(events) == 3)
    }

    @Test("summaries(named:) lists every series of a histogram by labels")
    func summariesByName() async throws {
        try await withRunningMetrics { metrics in
            let recorder = metrics.recorder
            let post = recorder.histogram("test_route_seconds", [("route", "post")], help: "Route latency.")
            let get = recorder.histogram("test_route_seconds", [("route", "get")], help: "Route latency.")
            let other = recorder.histogram("test_other_seconds", help: "Other.")
            recorder.observe(post, .milliseconds(20))
            recorder.observe(post, .milliseconds(40))
            recorder.observe(get, .milliseconds(1))
            recorder.observe(other, .seconds(1))
            await metrics.flush()

            let summaries = await metrics.summaries(named: "test_route_seconds")
            #expect(summaries.map { $0.0 } == [[Label("route", "get")], [Label("route", "post")]])
            #expect(summaries.map { $0.1.count } == [1, 2])
            #expect(summaries[1].1.max == .milliseconds(40))
            #expect(await metrics.summaries(named: "test_missing_seconds").isEmpty)
        }
    }

    @Test("keys of another recorder read as unknown")
    func foreignKeys() async throws {
        let other = MetricsActor(logger: .silent("metrics-test"))
        let foreignCounter = other.recorder.counter("test_foreign_total", help: "Foreign.")
        let foreignHistogram = other.recorder.histogram("test_foreign_seconds", help: "Foreign.")
        try await withRunningMetrics { metrics in
            _ = metrics.recorder.counter("test_foreign_total", help: "Foreign.")
            await metrics.flush()
            #expect(await metrics.counterValue(foreignCounter) == 0)
            #expect(await metrics.summary(foreignHistogram) == nil)
        }
    }

    @Test("flush() issued before run() returns once run() has applied the earlier samples")
    func flushBeforeRun() async throws {
        let metrics = MetricsActor(logger: .silent("metrics-test"))
        let events = metrics.recorder.counter("test_flush_total", help: "Flush.")
        metrics.recorder.increment(events)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // flush() is issued before run() starts and completes once it runs.
            group.addTask { await metrics.flush() }
            group.addTask { await metrics.run() }
            try await group.next()
            #expect(await metrics.counterValue(events) == 1)
            group.cancelAll()
        }
    }
}
