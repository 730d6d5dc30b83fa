import Testing

@testable import Runtime

@Suite("Metrics exposition")
struct MetricsExpositionTests {
    @Test("HELP and TYPE lines, labels and values are rendered")
    func rendersFamilies() async throws {
        try await withRunningMetrics { metrics in
            let recorder = metrics.recorder
            let created = recorder.counter(
                "http_requests_total",
                [("method", "POST"), ("path", "/api/v1/webhooks/bep20"), ("code", "202")],
                help: "HTTP requests by method, path and status code."
            )
            let waiters = recorder.gauge("db_pool_waiters", help: "Callers waiting for a connection.")
            recorder.increment(created, by: 3)
            recorder.set(waiters, to: 2)
            await metrics.flush()

            let text = await metrics.exposition()
            #expect(text.contains("# HELP http_requests_total HTTP requests by method, path and status code.\n"))
            #expect(text.contains("# TYPE http_requests_total counter\n"))
            // Labels come out sorted by name.
            #expect(text.contains(#"http_requests_total{code="202",method="POST",path="/api/v1/webhooks/bep20"} 3"# + "\n"))
            #expect(text.contains("# TYPE db_pool_waiters gauge\n"))
            #expect(text.contains("db_pool_waiters 2.0\n"))
        }
    }

    @Test("histograms render cumulative buckets in seconds, sum and count")
    func rendersHistogram() async throws {
        try await withRunningMetrics { metrics in
            let latency = metrics.recorder.histogram(
                "http_request_duration_seconds",
                [("path", "/healthz")],
                help: "Request latency.",
                buckets: [.milliseconds(1), .milliseconds(10), .milliseconds(100)]
            )
            metrics.recorder.observe(latency, .microseconds(500))
            metrics.recorder.observe(latency, .milliseconds(5))
            metrics.recorder.observe(latency, .milliseconds(50))
            metrics.recorder.observe(latency, .seconds(2))
            await metrics.flush()

            let text = await metrics.exposition()
            #expect(text.contains("# TYPE http_request_duration_seconds histogram\n"))
            #expect(text.contains(#"http_request_duration_seconds_bucket{path="/healthz",le="0.001"} 1"# + "\n"))
            #expect(text.contains(#"http_request_duration_seconds_bucket{path="/healthz",le="0.01"} 2"# + "\n"))
            #expect(text.contains(#"http_request_duration_seconds_bucket{path="/healthz",le="0.1"} 3"# + "\n"))
            #expect(text.contains(#"http_request_duration_seconds_bucket{path="/healthz",le="+Inf"} 4"# + "\n"))
            #expect(text.contains(#"http_request_duration_seconds_count{path="/healthz"} 4"# + "\n"))
            #expect(text.contains(#"http_request_duration_seconds_sum{path="/healthz"} 2.0555"# + "\n"))
        }
    }

    @Test("a key that was made but never recorded shows as zero")
    func registeredKeysShowZero() async throws {
        try await withRunningMetrics { metrics in
            let recorder = metrics.recorder
            _ = recorder.counter("webhook_enqueue_failed_total", help: "Webhooks that could not be queued.")
            _ = recorder.gauge("workers_alive", help: "Deposit workers running.")
            _ = recorder.histogram("deposit_task_duration_seconds", help: "Deposit task latency.")
            await metrics.flush()

            let text = await metrics.exposition()
            #expect(text.contains("webhook_enqueue_failed_total 0\n"))
            #expect(text.contains("workers_alive 0.0\n"))
            #expect(text.contains("deposit_task_duration_seconds_count 0\n"))
            #expect(text.contains(#"deposit_task_duration_seconds_bucket{le="0.0005"} 0"# + "\n"))
            #expect(text.contains(#"deposit_task_duration_seconds_bucket{le="10.0"} 0"# + "\n"))
        }
    }

    @Test("label values are escaped")
    func escapesLabelValues() async throws {
        try await withRunningMetrics { metrics in
            let key = metrics.recorder.counter("test_escape_total", [("reason", "a \"quoted\"\\path\nnext")], help: "Escaping.")
            metrics.recorder.increment(key)
            await metrics.flush()
            let text = await metrics.exposition()
            #expect(text.contains(#"test_escape_total{reason="a \"quoted\"\\path\nnext"} 1"# + "\n"))
        }
    }

    @Test("the default latency buckets run from 0.5 ms to 10 s, increasing")
    func defaultBuckets() {
        let buckets = MetricsRecorder.defaultLatencyBuckets
        #expect(buckets.first == .microseconds(500))
        #expect(buckets.last == .seconds(10))
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 })
    }
}
