import Foundation
import Testing

@testable import Runtime

/// Locates `promtool` (Debian package `prometheus`) and decides whether its absence skips or
/// fails the check.
enum Promtool {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/promtool" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// `CRICALGO_REQUIRE_PROMTOOL=true` turns a missing promtool into a failure.
    static let isRequired = ProcessInfo.processInfo.environment["CRICALGO_REQUIRE_PROMTOOL"] == "true"

    static let shouldRun = Self.path != nil || Self.isRequired
}

@Suite("Metrics exposition passes promtool")
struct MetricsPromtoolTests {
    @Test(
        "promtool check metrics accepts the exposition",
        .enabled(
            if: Promtool.shouldRun,
            "promtool not found: install the Debian package 'prometheus', or set CRICALGO_REQUIRE_PROMTOOL=true to fail instead of skipping"
        )
    )
    func promtoolAcceptsExposition() async throws {
        let promtool = try #require(Promtool.path, "promtool is required (CRICALGO_REQUIRE_PROMTOOL=true) but not on PATH")

        let exposition = try await withRunningMetrics { metrics in
            let recorder = metrics.recorder
            for (method, code) in [("POST", "202"), ("POST", "422"), ("GET", "200")] {
                let key = recorder.counter(
                    "http_requests_total",
                    [("method", method), ("path", "/api/v1/webhooks/bep20"), ("code", code)],
                    help: "HTTP requests by method, path and status code."
                )
                recorder.increment(key, by: 7)
            }
            _ = recorder.counter("webhook_enqueue_failed_total", help: "Webhooks that could not be queued.")
            let restarts = recorder.counter(
                "supervisor_restarts_total",
                [("supervisor", "workers \"main\"\\1")],
                help: "Child restarts by supervisor."
            )
            recorder.increment(restarts)
            recorder.set(recorder.gauge("db_pool_connections_active", help: "Connections leased."), to: 4)
            _ = recorder.gauge("deposits_in_state", [("state", "pending")], help: "Deposits by state.")
            let latency = recorder.histogram(
                "http_request_duration_seconds",
                [("path", "/api/v1/webhooks/bep20")],
                help: "HTTP request latency in seconds."
            )
            for millisecond in 1...200 {
                recorder.observe(latency, .milliseconds(millisecond))
            }
            _ = recorder.histogram("deposit_task_duration_seconds", help: "Deposit task latency in seconds.")
            await metrics.flush()
            return await metrics.exposition()
        }

        let (status, output) = try await Self.run(promtool, ["check", "metrics"], input: exposition)
        #expect(status == 0, "promtool exited with \(status): \(output)")
        #expect(output.isEmpty, "promtool reported problems: \(output)")
    }

    /// Runs a program with `input` on standard input; returns its exit status and everything
    /// it wrote to standard output and error.
    private static func run(_ path: String, _ arguments: [String], input: String) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output

        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
