@testable import LoadKit
import Foundation
import Testing

@Suite("Reports, tables and plots")
struct ReportTests {
    static func report(label: String, milliseconds: [Double], throughput: Double) -> LoadReport {
        var statistics = LoadStatistics()
        for value in milliseconds {
            statistics.recordSend(due: 1, latenessNanoseconds: 0, tolerance: 1_000_000, isRepeat: false)
            statistics.recordAnswer(status: 202, latencyNanoseconds: UInt64(value * 1e6), answeredAt: 2)
        }
        let configuration = LoadConfiguration(target: TargetURL(host: "127.0.0.1", port: 8000))
        var report = LoadReport(outcome: LoadOutcome(configuration: configuration, statistics: statistics, measuredSeconds: 1), label: label)
        report.requests.throughput = throughput
        return report
    }

    @Test("percentiles come from the histogram, in milliseconds")
    func percentiles() {
        let report = Self.report(label: "a", milliseconds: (1...1_000).map { Double($0) / 100 }, throughput: 100)
        #expect(abs(report.latency.p50 - 5.0) < 0.01)
        #expect(abs(report.latency.p99 - 9.9) < 0.01)
        #expect(abs(report.latency.max - 10.0) < 0.01)
        #expect(report.latency.count == 1_000)
        #expect(report.curve.first!.percentile == 0)
        #expect(report.curve.last!.percentile == 100)
        #expect(zip(report.curve, report.curve.dropFirst()).allSatisfy { $0.milliseconds <= $1.milliseconds })
    }

    @Test("a report survives JSON and reads back the same")
    func roundTrip() throws {
        let report = Self.report(label: "sqlite 100 VUs", milliseconds: [1, 2, 3], throughput: 10)
        let data = try JSONEncoder().encode(report)
        let decoded = try JSONDecoder().decode(LoadReport.self, from: data)
        #expect(decoded.label == report.label)
        #expect(decoded.latency == report.latency)
        #expect(decoded.curve == report.curve)
        #expect(decoded.statusCodes == ["202": 3])
    }

    @Test("errors and dropped sends count against the error rate")
    func errorRate() {
        var statistics = LoadStatistics()
        for _ in 0..<8 { statistics.recordAnswer(status: 202, latencyNanoseconds: 1, answeredAt: 1) }
        statistics.recordAnswer(status: 503, latencyNanoseconds: 1, answeredAt: 1)
        statistics.recordFailure(.timedOut, answeredAt: 1)
        statistics.droppedSends = 10
        let configuration = LoadConfiguration(target: TargetURL(host: "h", port: 1))
        let report = LoadReport(outcome: LoadOutcome(configuration: configuration, statistics: statistics, measuredSeconds: 1), label: "x")
        #expect(report.requests.errors == 2)
        #expect(report.requests.errorPercent == 60)
        #expect(report.transportErrors == ["timedOut": 1])
    }

    @Test("the comparison table has one row per report and ratios to the first")
    func comparison() {
        let table = LoadComparison(reports: [
            Self.report(label: "echo", milliseconds: [1], throughput: 2_000),
            Self.report(label: "sqlite", milliseconds: [2], throughput: 1_500),
        ]).table
        let lines = table.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[2].hasPrefix("echo"))
        #expect(lines[2].contains("100.0%"))
        #expect(lines[3].hasPrefix("sqlite"))
        #expect(lines[3].contains("75.0%"))
    }

    @Test("the plot is one self-contained SVG with a line and a legend entry per run")
    func plot() {
        let svg = PercentilePlot(title: "A & B", reports: [
            Self.report(label: "<echo>", milliseconds: (1...10_000).map { Double($0) / 100 }, throughput: 1),
            Self.report(label: "sqlite", milliseconds: (1...100).map { Double($0) * 2 }, throughput: 1),
        ]).svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("A &amp; B"))
        #expect(svg.contains("&lt;echo&gt;"))
        #expect(!svg.contains("<echo>"))
        #expect(svg.contains(">99%<"))
        #expect(svg.contains(">99.99%<"), "10,000 samples resolve four decades")
        #expect(!svg.contains(">99.999%<"), "but not a fifth")
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test("x positions are decades of 1/(1-p)")
    func decades() {
        #expect(PercentilePlot.decades(0) == 0)
        #expect(abs(PercentilePlot.decades(90) - 1) < 1e-9)
        #expect(abs(PercentilePlot.decades(99.9) - 3) < 1e-9)
        #expect(PercentilePlot.decades(100).isFinite)
        #expect(PercentilePlot.niceCeiling(7.3) == 10)
        #expect(PercentilePlot.niceCeiling(1.7) == 2)
        #expect(PercentilePlot.niceCeiling(23) == 25)
    }
}
