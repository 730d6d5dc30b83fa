import Foundation
import LoadKit

/// The once-a-second progress line, on standard error so reports on standard output stay clean.
enum ProgressLine {
    static func print(_ progress: LoadProgress) {
        var line = String(format: "%6.1fs %@ %8.0f req/s  p99 %7.2f ms  errors %d  in-flight %d",
                          progress.elapsed, progress.warmingUp ? "warm-up" : "       ",
                          progress.answersPerSecond, progress.p99Milliseconds, progress.errors, progress.inFlight)
        if progress.backlog > 0 { line += "  backlog \(progress.backlog)" }
        if progress.creditPending > 0 { line += "  awaiting credit \(progress.creditPending)" }
        if let bytes = progress.residentBytes { line += String(format: "  rss %.1f MB", Double(bytes) / 1_048_576) }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
