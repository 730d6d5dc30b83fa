import Actors
import Foundation
import TestSupport
import Testing

/// `cricalgo verify` and `cricalgo migrate` are what an operator (and the chaos runs) trust
/// after a crash: on a healthy store they must exit 0 every time, not most of the time.
@Suite(.serialized, .timeLimit(.minutes(4))) struct MaintenanceCommandChaosTests {
    @Test(arguments: TestBackend.available)
    func verifyAndMigrateExit0EveryTimeOnAHealthyStore(backend: TestBackend) async throws {
        let runs = ChaosSettings.isSoak ? 100 : 12
        try await TestDatabase.with(backend) { database in
            try await withChildProcesses { processes in
                // A crash is counted, not explained: no backtrace, so a crashing run stays quick.
                let environment = ["DATABASE_URL": database.url, "LOG_LEVEL": "error", "SWIFT_BACKTRACE": "enable=no"]
                var failures: [String] = []
                for run in 0..<runs {
                    for command in [["migrate"], ["verify", "--json"]] {
                        let (status, output) = try await processes.run(command, environment: environment)
                        if status != 0 { failures.append("run \(run) `\(command.joined(separator: " "))`: status \(status): \(output.suffix(300))") }
                    }
                }
                #expect(failures.isEmpty, "\(failures.count) of \(2 * runs) runs failed, e.g. \(failures.prefix(2))")
            }
        }
    }
}
