@testable import LoadKit
import Testing

@Suite("Threshold")
struct ThresholdTests {
    static func report(p99: Double = 8, errors: Double = 0.05, throughput: Double = 1_200, rss: UInt64? = 50 * 1_048_576) -> LoadReport {
        var statistics = LoadStatistics()
        for _ in 0..<98 { statistics.recordAnswer(status: 202, latencyNanoseconds: 1_000_000, answeredAt: 1) }
        statistics.recordAnswer(status: 202, latencyNanoseconds: UInt64(p99 * 1e6), answeredAt: 2)
        statistics.recordAnswer(status: 202, latencyNanoseconds: UInt64(p99 * 1e6), answeredAt: 2)
        var configuration = LoadConfiguration(target: TargetURL(host: "127.0.0.1", port: 8000))
        configuration.duration = .seconds(1)
        var memory = ResidentMemorySamples()
        if let rss { memory.record(rss) }
        var report = LoadReport(
            outcome: LoadOutcome(configuration: configuration, statistics: statistics, measuredSeconds: 1, residentMemory: rss == nil ? nil : memory),
            label: "test"
        )
        report.requests.errorPercent = errors
        report.requests.throughput = throughput
        return report
    }

    @Test("latency thresholds compare milliseconds, whatever unit was written", arguments: [
        ("p99<10ms", true), ("p99<5ms", false), ("p99 < 0.01s", true), ("p99<=8100us", true), ("p99>9ms", false),
        ("max<9ms", true), ("p50<2ms", true),
    ])
    func latency(expression: String, passes: Bool) throws {
        let threshold = try Threshold(parsing: expression)
        #expect(threshold.evaluate(Self.report()).passed == passes)
    }

    @Test("error rates take a percentage or a fraction")
    func errorRate() throws {
        let report = Self.report(errors: 0.05)
        #expect(try Threshold(parsing: "errors<0.1%").evaluate(report).passed)
        #expect(try Threshold(parsing: "errors<0.001").evaluate(report).passed)
        #expect(try !Threshold(parsing: "errors<0.01%").evaluate(report).passed)
    }

    @Test("throughput and memory")
    func throughputAndMemory() throws {
        let report = Self.report()
        #expect(try Threshold(parsing: "rps>1000").evaluate(report).passed)
        #expect(try !Threshold(parsing: "rps>=2000").evaluate(report).passed)
        #expect(try Threshold(parsing: "rss<100MB").evaluate(report).passed)
        #expect(try !Threshold(parsing: "rss<40MB").evaluate(report).passed)
        let noMemory = Self.report(rss: nil)
        let result = try Threshold(parsing: "rss<100MB").evaluate(noMemory)
        #expect(!result.passed, "a metric the report lacks fails")
        #expect(result.actual == nil)
    }

    @Test("credited latency needs credit data")
    func credited() throws {
        #expect(try !Threshold(parsing: "credited_p99<50ms").evaluate(Self.report()).passed)
    }

    @Test("malformed thresholds are rejected", arguments: ["p99", "p99<abc", "latency<3ms", "p0<1ms", "errors<x%"])
    func malformed(expression: String) {
        #expect(throws: LoadError.badArgument) { try Threshold(parsing: expression) }
    }
}
