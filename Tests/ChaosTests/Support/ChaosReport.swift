import Foundation

/// Writes each run's ``ChaosSummary``.
enum ChaosReport {
    /// The report directory, created on first use.
    static let directory: URL = {
        let url: URL
        if let path = ProcessInfo.processInfo.environment["CRICALGO_CHAOS_REPORT_DIR"], !path.isEmpty {
            url = URL(fileURLWithPath: path)
        } else {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-chaos-\(Int(Date().timeIntervalSince1970))-\(getpid())")
        }
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        print("chaos reports in \(url.path)")
        return url
    }()

    /// Writes `summary` as `<run>-<backend>.json` and returns the file.
    @discardableResult
    static func write(_ summary: ChaosSummary) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let name = "\(summary.run)-\(summary.backend)".map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        let file = Self.directory.appendingPathComponent(String(name) + ".json")
        try encoder.encode(summary).write(to: file)
        print("chaos summary \(file.path): kills=\(summary.kills) restarts=\(summary.restarts) sent=\(summary.webhooksSent) "
            + "accepted=\(summary.webhooksAccepted) duplicates=\(summary.duplicatesFound) lost=\(summary.lost)")
        return file
    }
}

extension Duration {
    var milliseconds: Double {
        Double(self.components.seconds) * 1000 + Double(self.components.attoseconds) / 1e15
    }
}
