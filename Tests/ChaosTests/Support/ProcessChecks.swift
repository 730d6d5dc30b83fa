import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `cricalgo verify --json` on `databaseURL`; returns its exit status and parsed report.
func verifyStore(_ processes: ChildProcessRegistry, databaseURL: String) async throws -> (status: Int32, report: [String: Any]) {
    let (status, output) = try await processes.run(["verify", "--json"], environment: ["DATABASE_URL": databaseURL, "LOG_LEVEL": "error"])
    // The report is pretty-printed; any log line before it is one line of its own.
    let start = output.range(of: "\n{\n")?.lowerBound ?? output.range(of: "{\n")?.lowerBound
    let json = start.map { String(output[$0...]) } ?? output
    let report = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    return (status, report)
}

/// SIGTERM, then waits (polling, at most `limit`) for an orderly exit. A process still
/// running after `limit` is a failure (docs/API.md, "Health and metrics": SIGTERM drains and exits 0); it is then
/// SIGKILLed so the test can go on. Returns the exit status, nil when it had to be killed.
@discardableResult
func stopGracefully(_ process: ChildProcess, limit: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int32? {
    process.send(SIGTERM)
    try await Poll.until(every: .milliseconds(50), within: limit) { !process.isRunning }
    if let status = process.exitStatus {
        #expect(status == 0, "\(process.name) exit status after SIGTERM; log tail:\n\(process.logTail())", sourceLocation: sourceLocation)
        return status
    }
    Issue.record("\(process.name) still running \(limit) after SIGTERM; log tail:\n\(process.logTail())", sourceLocation: sourceLocation)
    process.forceKill()
    return nil
}
