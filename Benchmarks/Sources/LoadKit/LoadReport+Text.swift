extension LoadReport {
    /// The human-readable summary printed at the end of a run.
    public var summary: String {
        var lines: [String] = []
        var shape = self.mode == "open"
            ? "open loop, \(NumberFormat.fixed(self.rate ?? 0, 0)) req/s over \(self.connections) connections"
            : "closed loop, \(self.connections) VUs"
        shape += ", \(NumberFormat.fixed(self.durationSeconds, 0))s"
        if self.warmupSeconds > 0 { shape += " (+\(NumberFormat.fixed(self.warmupSeconds, 0))s warm-up)" }
        shape += ", \(self.threads) thread\(self.threads == 1 ? "" : "s")"
        lines.append("\(self.label): \(shape) -> \(self.target)")
        let requests = self.requests
        lines.append(
            "  requests    sent \(NumberFormat.grouped(requests.sent))  answered \(NumberFormat.grouped(requests.answered))"
                + "  throughput \(NumberFormat.fixed(requests.throughput, 1)) req/s"
                + "  errors \(NumberFormat.grouped(requests.errors))"
                + (requests.droppedSends > 0 ? " + dropped \(NumberFormat.grouped(requests.droppedSends))" : "")
                + " (\(NumberFormat.fixed(requests.errorPercent, 3))% failed)"
        )
        let codes = self.statusCodes.sorted { $0.key < $1.key }.map { "\($0.key): \(NumberFormat.grouped($0.value))" }
        let failures = self.transportErrors.sorted { $0.key < $1.key }.map { "\($0.key): \(NumberFormat.grouped($0.value))" }
        lines.append("  status      " + (codes + failures).joined(separator: "  "))
        if requests.repeats > 0 {
            lines.append("  repeats     \(NumberFormat.grouped(requests.repeats)) (tx_id mismatches: \(requests.repeatMismatches))")
        }
        lines.append("  latency     " + Self.describe(self.latency))
        if self.mode == "open" {
            lines.append(
                "  pacing      late sends \(NumberFormat.grouped(requests.lateSends))"
                    + " (max \(NumberFormat.milliseconds(requests.maximumLatenessMilliseconds)) ms)"
                    + "  dropped \(NumberFormat.grouped(requests.droppedSends))"
            )
        }
        if let memory = self.residentMemory {
            lines.append("  server RSS  max \(NumberFormat.megabytes(memory.maximumBytes)) over \(memory.samples) samples")
        }
        if let cpu = self.serverCPU {
            lines.append(
                "  server CPU  \(NumberFormat.fixed(cpu.seconds, 1)) s, \(NumberFormat.fixed(cpu.microsecondsPerAnswer, 0)) µs per answer"
            )
        }
        if let verification = self.verification {
            var line = "  verify      \(NumberFormat.grouped(verification.checked)) checked: \(NumberFormat.grouped(verification.found)) found,"
                + " \(verification.missing) missing, \(verification.mismatched) mismatched, \(verification.errors) errors"
            if !verification.examples.isEmpty { line += " e.g. " + verification.examples.prefix(5).joined(separator: " ") }
            lines.append(line)
        }
        if let credit = self.credit {
            let others = credit.otherOutcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append(
                "  credited    \(NumberFormat.grouped(credit.credited)) of \(NumberFormat.grouped(credit.watched))"
                    + (others.isEmpty ? "" : " (\(others))") + ", unresolved \(credit.unresolved)"
                    + ", \(NumberFormat.grouped(credit.polls)) polls, \(credit.pollErrors) poll errors"
            )
            lines.append("  → credited  observed  " + Self.describe(credit.observed))
            lines.append("  → credited  processed_at " + Self.describe(credit.stamped))
        }
        for threshold in self.thresholds {
            let actual = threshold.actual.map { NumberFormat.fixed($0, 3) } ?? "n/a"
            lines.append("  threshold   \(threshold.passed ? "pass" : "FAIL")  \(threshold.expression)  (actual \(actual))")
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ percentiles: Percentiles) -> String {
        [
            ("p50", percentiles.p50), ("p90", percentiles.p90), ("p95", percentiles.p95), ("p99", percentiles.p99),
            ("p99.9", percentiles.p999), ("max", percentiles.max), ("mean", percentiles.mean),
        ].map { "\($0.0) \(NumberFormat.milliseconds($0.1))" }.joined(separator: "  ") + " ms"
    }
}
