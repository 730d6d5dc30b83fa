/// Several reports side by side (`--compare`), the first one being the reference.
public struct LoadComparison: Sendable {
    public let reports: [LoadReport]

    public init(reports: [LoadReport]) {
        self.reports = reports
    }

    /// A fixed-width table: one row per report, throughput also as a ratio of the first.
    public var table: String {
        let header = ["run", "mode", "conns", "req/s", "vs first", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors %", "RSS MB", "CPU µs/req"]
        let reference = self.reports.first?.requests.throughput ?? 0
        var rows = [header]
        for report in self.reports {
            let load = report.mode == "open" ? "open \(NumberFormat.fixed(report.rate ?? 0, 0))/s" : "closed"
            rows.append([
                report.label,
                load,
                String(report.connections),
                NumberFormat.fixed(report.requests.throughput, 0),
                reference > 0 ? NumberFormat.fixed(report.requests.throughput / reference * 100, 1) + "%" : "-",
                NumberFormat.milliseconds(report.latency.p50),
                NumberFormat.milliseconds(report.latency.p90),
                NumberFormat.milliseconds(report.latency.p99),
                NumberFormat.milliseconds(report.latency.p999),
                NumberFormat.milliseconds(report.latency.max),
                NumberFormat.fixed(report.requests.errorPercent, 3),
                report.residentMemory.map { NumberFormat.fixed(Double($0.maximumBytes) / 1_048_576, 1) } ?? "-",
                report.serverCPU.map { NumberFormat.fixed($0.microsecondsPerAnswer, 0) } ?? "-",
            ])
        }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let lines = rows.map { row in
            row.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: lines[0].count)
        return ([lines[0], rule] + lines.dropFirst()).joined(separator: "\n")
    }

    /// A Markdown table of the same figures (for docs).
    public var markdown: String {
        let reference = self.reports.first?.requests.throughput ?? 0
        var lines = [
            "| run | load | conns | req/s | vs first | p50 ms | p99 ms | p99.9 ms | max ms | errors % | RSS MB | server CPU µs/req |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for report in self.reports {
            let load = report.mode == "open" ? "open \(NumberFormat.fixed(report.rate ?? 0, 0))/s" : "closed"
            lines.append(
                "| \(report.label) | \(load) | \(report.connections) | \(NumberFormat.fixed(report.requests.throughput, 0)) | "
                    + (reference > 0 ? NumberFormat.fixed(report.requests.throughput / reference * 100, 1) + "%" : "-")
                    + " | \(NumberFormat.milliseconds(report.latency.p50)) | \(NumberFormat.milliseconds(report.latency.p99))"
                    + " | \(NumberFormat.milliseconds(report.latency.p999)) | \(NumberFormat.milliseconds(report.latency.max))"
                    + " | \(NumberFormat.fixed(report.requests.errorPercent, 3))"
                    + " | \(report.residentMemory.map { NumberFormat.fixed(Double($0.maximumBytes) / 1_048_576, 1) } ?? "-")"
                    + " | \(report.serverCPU.map { NumberFormat.fixed($0.microsecondsPerAnswer, 0) } ?? "-") |"
            )
        }
        return lines.joined(separator: "\n")
    }
}
