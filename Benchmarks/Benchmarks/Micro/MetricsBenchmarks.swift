import Benchmark
import CricalgoRuntime
import Logging

/// Recording into a running MetricsActor: what every request pays for its metrics. Each
/// iteration records one sample (without waiting); the actor drains them concurrently.
func registerMetricsBenchmarks() {
    Benchmark("MetricsRecorder.increment") { benchmark async in
        await withRunningMetrics { recorder in
            let counter = recorder.counter("bench_requests_total", [("code", "202")], help: "Benchmark counter.")
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                recorder.increment(counter)
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("MetricsRecorder.observe") { benchmark async in
        await withRunningMetrics { recorder in
            let histogram = recorder.histogram("bench_duration_seconds", help: "Benchmark histogram.")
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                recorder.observe(histogram, .microseconds(100 + index % 900))
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("MetricsRecorder.observe,_applied") { benchmark async in
        // Recording and the actor applying every sample to its histogram (flush included).
        await withRunningMetrics { recorder, actor in
            let histogram = recorder.histogram("bench_applied_seconds", help: "Benchmark histogram.")
            await actor.flush()
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                recorder.observe(histogram, .microseconds(100 + index % 900))
            }
            await actor.flush()
            benchmark.stopMeasurement()
        }
    }
}

/// Runs `body` with a MetricsActor draining its samples, then stops the actor.
private func withRunningMetrics(_ body: (MetricsRecorder) async -> Void) async {
    await withRunningMetrics { recorder, _ in await body(recorder) }
}

private func withRunningMetrics(_ body: (MetricsRecorder, MetricsActor) async -> Void) async {
    let actor = MetricsActor(logger: Logger(label: "bench"))
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await actor.run() }
        await body(actor.recorder, actor)
        group.cancelAll()
    }
}
