#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A self-contained SVG of latency by percentile, one line per run, drawn like HdrHistogram's
/// plotter: the x axis is `1/(1-p)` on a log scale, so 90 %, 99 %, 99.9 % … are evenly spaced
/// and the tail gets the room it deserves; the y axis is latency in milliseconds.
public struct PercentilePlot: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var curve: [LoadReport.CurvePoint]
        /// Shown after the label in the legend, e.g. `p99 3.2 ms`.
        public var note: String?
        /// How many latencies the curve summarises: beyond percentile `1 - 1/count` there is
        /// nothing to see but the maximum, so the x axis stops at that decade.
        public var count: UInt64?

        public init(label: String, curve: [LoadReport.CurvePoint], note: String? = nil, count: UInt64? = nil) {
            self.label = label
            self.curve = curve
            self.note = note
            self.count = count
        }
    }

    public var title: String
    public var series: [Series]
    public var width = 960.0
    public var height = 540.0

    public init(title: String, series: [Series]) {
        self.title = title
        self.series = series
    }

    public init(title: String, reports: [LoadReport]) {
        self.init(title: title, series: reports.map { report in
            Series(
                label: report.label,
                curve: report.curve,
                note: "p99 \(NumberFormat.milliseconds(report.latency.p99)) ms, \(NumberFormat.fixed(report.requests.throughput, 0)) req/s",
                count: report.latency.count
            )
        })
    }

    private static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]

    /// The x position (in decades of `1/(1-p)`) of percentile `p` (0...100).
    static func decades(_ percentile: Double) -> Double {
        let remaining = max(1 - percentile / 100, 1e-9)
        return -log10(remaining)
    }

    /// A "nice" upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten, at least `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = powerOfTen(floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= value * 0.999_999 {
            return step * magnitude
        }
        return 10 * magnitude
    }

    public func svg() -> String {
        let left = 70.0, right = 40.0, top = 48.0, bottom = 64.0
        let plotWidth = self.width - left - right
        let plotHeight = self.height - top - bottom
        // The x range ends at the decade just past the highest percentile any run reached.
        let finite = self.series.flatMap { $0.curve.filter { $0.percentile < 100 } }
        var reached = finite.map { Self.decades($0.percentile) }.max() ?? 2
        if let count = self.series.compactMap(\.count).max(), count > 1 {
            reached = min(reached, log10(Double(count)))
        }
        let xDecades = max(2, min(6, ceil(reached)))
        let visible = self.series.flatMap { $0.curve.filter { Self.decades($0.percentile) <= xDecades } }
        let yMax = Self.niceCeiling(visible.map(\.milliseconds).max() ?? 1)
        func x(_ percentile: Double) -> Double { left + min(Self.decades(percentile), xDecades) / xDecades * plotWidth }
        func y(_ milliseconds: Double) -> Double { top + plotHeight - min(milliseconds, yMax) / yMax * plotHeight }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(self.width))" height="\(Int(self.height))" \
            viewBox="0 0 \(Int(self.width)) \(Int(self.height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Self.f(self.width / 2))" y="24" text-anchor="middle" font-size="16" font-weight="bold">\(Self.escape(self.title))</text>

            """
        // Grid and axes.
        for decade in 0...Int(xDecades) {
            let percentile = 100 * (1 - powerOfTen(-Double(decade)))
            let position = left + Double(decade) / xDecades * plotWidth
            svg += "<line x1=\"\(Self.f(position))\" y1=\"\(Self.f(top))\" x2=\"\(Self.f(position))\" y2=\"\(Self.f(top + plotHeight))\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(Self.f(position))\" y=\"\(Self.f(top + plotHeight + 18))\" text-anchor=\"middle\">\(NumberFormat.percentile(percentile))</text>\n"
        }
        let yStep = yMax / 5
        for tick in 0...5 {
            let value = Double(tick) * yStep
            let position = y(value)
            svg += "<line x1=\"\(Self.f(left))\" y1=\"\(Self.f(position))\" x2=\"\(Self.f(left + plotWidth))\" y2=\"\(Self.f(position))\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(Self.f(left - 8))\" y=\"\(Self.f(position + 4))\" text-anchor=\"end\">\(Self.tickLabel(value))</text>\n"
        }
        svg += "<rect x=\"\(Self.f(left))\" y=\"\(Self.f(top))\" width=\"\(Self.f(plotWidth))\" height=\"\(Self.f(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(Self.f(left + plotWidth / 2))\" y=\"\(Self.f(self.height - 18))\" text-anchor=\"middle\">Percentile (log scale of 1/(1-p))</text>\n"
        svg += "<text transform=\"translate(18 \(Self.f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">Latency (ms)</text>\n"

        // One line per run, then the legend.
        for (index, series) in self.series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let points = series.curve.map { "\(Self.f(x($0.percentile))),\(Self.f(y($0.milliseconds)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"><title>\(Self.escape(series.label))</title></polyline>\n"
        }
        for (index, series) in self.series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let rowY = top + 16 + Double(index) * 18
            let note = series.note.map { " (\($0))" } ?? ""
            svg += "<line x1=\"\(Self.f(left + 12))\" y1=\"\(Self.f(rowY - 4))\" x2=\"\(Self.f(left + 36))\" y2=\"\(Self.f(rowY - 4))\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            svg += "<text x=\"\(Self.f(left + 42))\" y=\"\(Self.f(rowY))\">\(Self.escape(series.label + note))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    private static func tickLabel(_ value: Double) -> String {
        value >= 10 || value == value.rounded() ? NumberFormat.fixed(value, value == value.rounded() ? 0 : 1) : NumberFormat.fixed(value, 2)
    }

    private static func f(_ value: Double) -> String { NumberFormat.fixed(value, 1).replacingCommas() }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

private func powerOfTen(_ exponent: Double) -> Double {
    var result = 1.0
    let steps = Int(exponent.magnitude)
    for _ in 0..<steps { result *= 10 }
    return exponent < 0 ? 1 / result : result
}

private extension String {
    func replacingCommas() -> String { self.filter { $0 != "," } }
}
