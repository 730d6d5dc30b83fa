import Foundation
import Testing
import TestSupport

/// Replays what the fuzzers found, and their seed corpora, through the very checks the fuzz
/// targets run (`FuzzChecks`, compiled into the fuzz package from the same files).
///
/// Every file under `Tests/Fuzz/FailCases/<target>/` is a test case named after the bug it
/// found. Each runs in a child process (an exit test), so an input that still crashes the
/// code under test fails its own case, with the crash or the violated invariant in the
/// failure, instead of taking the whole run down.
@Suite struct FuzzRegressionTests {
    /// `Tests/Fuzz`, found from this file's path.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The file names in `Tests/Fuzz/<kind>/<target>/`, sorted; none when there is no folder.
    static func files(_ kind: String, _ target: String) -> [String] {
        let folder = self.fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test(arguments: files("FailCases", "FuzzWebhook"))
    func webhookFailCase(_ name: String) async {
        await Self.replay("FuzzWebhook", kind: "FailCases", names: [name])
    }

    @Test(arguments: files("FailCases", "FuzzAmount"))
    func amountFailCase(_ name: String) async {
        await Self.replay("FuzzAmount", kind: "FailCases", names: [name])
    }

    @Test(arguments: files("FailCases", "FuzzSignature"))
    func signatureFailCase(_ name: String) async {
        await Self.replay("FuzzSignature", kind: "FailCases", names: [name])
    }

    @Test(arguments: files("FailCases", "FuzzAdmin"))
    func adminFailCase(_ name: String) async {
        await Self.replay("FuzzAdmin", kind: "FailCases", names: [name])
    }

    @Test(arguments: FuzzChecks.targets.map(\.name))
    func seedCorpusPassesItsChecks(_ target: String) async {
        let names = Self.files("Corpus", target)
        #expect(!names.isEmpty, "no seed corpus for \(target)")
        await Self.replay(target, kind: "Corpus", names: names)
    }

    @Test func everyTargetHasAFolderOfFailCasesAndAChecker() {
        for target in FuzzChecks.targets.map(\.name) {
            #expect(FuzzChecks.check(named: target) != nil)
            #expect(FileManager.default.fileExists(atPath: self.folder("Corpus", target)), "Tests/Fuzz/Corpus/\(target)")
            #expect(FileManager.default.fileExists(atPath: Self.fuzzDirectory.appendingPathComponent("\(target).dict").path), "\(target).dict")
        }
    }

    private func folder(_ kind: String, _ target: String) -> String {
        Self.fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target).path
    }

    /// Runs `target`'s check on each file in a child process that exits 0 only when every
    /// check passed. When one fails or crashes, runs them again to report what the child wrote
    /// (the exit test gives the output of a run that met its expectation only).
    static func replay(_ target: String, kind: String, names: [String]) async {
        let passed = await #expect(processExitsWith: .success) { [target, kind, names] in
            exit(Self.runChecks(target, kind: kind, names: names) ? EXIT_SUCCESS : EXIT_FAILURE)
        }
        guard passed == nil else { return }
        let failed = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [target, kind, names] in
            exit(Self.runChecks(target, kind: kind, names: names) ? EXIT_SUCCESS : EXIT_FAILURE)
        }
        if let failed {
            Issue.record("\(target) \(kind): \(failed.exitStatus)\n\(String(decoding: failed.standardErrorContent.suffix(4000), as: UTF8.self))")
        }
    }

    /// In the child: each file through the check, each failure written to standard error.
    static func runChecks(_ target: String, kind: String, names: [String]) -> Bool {
        guard let check = FuzzChecks.check(named: target) else { return false }
        let folder = self.fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target).path
        var passed = true
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
                FileHandle.standardError.write(Data("\(target)/\(name): unreadable\n".utf8))
                passed = false
                continue
            }
            do {
                try check([UInt8](data))
            } catch {
                FileHandle.standardError.write(Data("\(target)/\(name): \(error)\n".utf8))
                passed = false
            }
        }
        return passed
    }
}
