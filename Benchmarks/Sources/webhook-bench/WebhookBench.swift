import Actors
import ArgumentParser
import Foundation
import LoadKit

/// `webhook-bench`: drives a running cricalgo service with webhooks and reports latency.
@main
struct WebhookBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook-bench",
        abstract: "Load generator for POST /api/v1/webhooks/bep20 (closed loop like k6, open loop like wrk2).",
        discussion: """
            Closed loop: --vus N --duration 30s (or --profile short|long). Open loop: --rate 5000 \
            (requests/s; latency counts from each request's due time; --vus is then the number of \
            connections). Reports HdrHistogram percentiles, throughput and errors; --json and --svg \
            write a report and a percentile plot; --threshold makes the exit status fail when broken. \
            --compare A.json B.json ... prints one table (and --svg one plot) of earlier reports.
            """
    )

    @Option(help: "The service's base URL.")
    var url = "http://127.0.0.1:8000"

    @Option(help: "Closed loop: virtual users. Open loop: connections. Default 50 (closed) or 100 (open).")
    var vus: Int?

    @Option(help: "Measured duration, e.g. 30s, 5m.")
    var duration: String?

    @Option(help: "Open loop: requests per second (e.g. 5000 or 5000/s).")
    var rate: String?

    @Option(help: "short = 50 VUs x 30 s, long = 100 VUs x 5 m.")
    var profile: String?

    @Option(help: "Load applied before measuring, e.g. 5s.")
    var warmup = "0s"

    @Option(help: "Event loop threads of the harness.")
    var threads = 1

    @Option(help: "Request timeout.")
    var timeout = "10s"

    @Option(name: .customLong("repeat-rate"), help: "Share of requests that re-send an earlier, answered webhook (0...1).")
    var repeatRate = 0.0

    @Option(help: "WEBHOOK_SECRET of the service: requests are signed.")
    var secret: String?

    @Option(name: .customLong("signature-scheme"), help: "hex (X-Signature: sha256=...) or standard (Standard Webhooks).")
    var signatureScheme = "hex"

    @Option(name: .customLong("user-ids"), help: "A file with one user UUID per line; deposits credit these users round-robin.")
    var userIDsFile: String?

    @Option(name: .customLong("run-id"), help: "Goes into every tx_hash (bench-<run>-<n>). Default: random.")
    var runID: String?

    @Option(help: "Name of this run in reports, tables and plots.")
    var label: String?

    @Option(help: "Write the JSON report here.")
    var json: String?

    @Option(help: "Write the SVG latency-percentile plot here.")
    var svg: String?

    @Option(help: "Title of the SVG plot.")
    var title: String?

    @Option(name: .customLong("threshold"), help: "k6-style criterion, repeatable: 'p99<10ms', 'errors<0.1%', 'rps>1000', 'rss<100MB'.")
    var thresholds: [String] = []

    @Flag(help: "After the run, fetch every tx_id answered 202; any missing one fails the run.")
    var verify = false

    @Option(name: .customLong("admin-token"), help: "ADMIN_TOKEN of the service, for --verify and --wait-credited.")
    var adminToken: String?

    @Option(name: .customLong("verify-concurrency"), help: "Connections used by --verify.")
    var verifyConcurrency = 32

    @Flag(name: .customLong("wait-credited"), help: "Poll each accepted deposit until credited; report webhook -> credited latency.")
    var waitCredited = false

    @Option(name: .customLong("poll-interval"), help: "--wait-credited: time between two polls of one deposit.")
    var pollInterval = "10ms"

    @Option(name: .customLong("poll-connections"), help: "--wait-credited: connections used for polling.")
    var pollConnections = 4

    @Option(name: .customLong("poll-rate"), help: "--wait-credited: polls per second at most.")
    var pollRate = 500.0

    @Option(name: .customLong("credit-timeout"), help: "--wait-credited: how long to wait after the load for deposits to be final.")
    var creditTimeout = "60s"

    @Option(name: .customLong("server-pid"), help: "Sample this process's resident memory every second.")
    var serverPID: Int32?

    @Flag(help: "No progress line.")
    var quiet = false

    @Option(parsing: .upToNextOption, help: "Compare earlier JSON reports instead of running (the first is the reference).")
    var compare: [String] = []

    @Flag(help: "With --compare: print the table as Markdown.")
    var markdown = false

    func run() async throws {
        let thresholds = try self.thresholds.map { text throws(LoadError) in try Threshold(parsing: text) }
        if !self.compare.isEmpty {
            try self.runComparison(thresholds: thresholds)
            return
        }
        let configuration = try self.loadConfiguration()
        let runner = LoadRunner(configuration: configuration, serverPID: self.serverPID)
        let quiet = self.quiet
        let outcome = try await runner.run { progress in
            if !quiet { ProgressLine.print(progress) }
        }
        var report = LoadReport(outcome: outcome, label: self.label ?? Self.defaultLabel(configuration))
        report.thresholds = thresholds.map { $0.evaluate(report) }
        print(report.summary)
        if let json = self.json {
            try ReportFiles.write(report, to: json)
        }
        if let svg = self.svg {
            let plot = PercentilePlot(title: self.title ?? "Webhook latency by percentile", reports: [report])
            try ReportFiles.write(text: plot.svg(), to: svg)
        }
        if report.failed {
            throw ExitCode(1)
        }
    }

    private func runComparison(thresholds: [Threshold]) throws {
        let reports = try self.compare.map { try ReportFiles.read($0) }
        let comparison = LoadComparison(reports: reports)
        print(self.markdown ? comparison.markdown : comparison.table)
        if let svg = self.svg {
            let plot = PercentilePlot(title: self.title ?? "Webhook latency by percentile", reports: reports)
            try ReportFiles.write(text: plot.svg(), to: svg)
        }
        var failed = false
        for report in reports {
            for threshold in thresholds {
                let result = threshold.evaluate(report)
                let actual = result.actual.map { String(format: "%.3f", $0) } ?? "n/a"
                print("\(result.passed ? "pass" : "FAIL")  \(report.label)  \(result.expression)  (actual \(actual))")
                failed = failed || !result.passed
            }
        }
        if failed { throw ExitCode(1) }
    }

    private static func defaultLabel(_ configuration: LoadConfiguration) -> String {
        switch configuration.mode {
        case .closed(let users): "\(users) VUs"
        case .open(let rate, _): "\(Int(rate))/s"
        }
    }
}
