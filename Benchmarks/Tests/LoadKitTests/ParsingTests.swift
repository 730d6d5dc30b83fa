@testable import LoadKit
import Foundation
import NIOCore
import Testing

@Suite("Command-line and answer parsing")
struct ParsingTests {
    @Test("URLs", arguments: [
        ("http://127.0.0.1:8000", "127.0.0.1", 8000), ("http://localhost/", "localhost", 80), ("http://[::1]:9000", "::1", 9000),
    ])
    func url(text: String, host: String, port: Int) throws {
        let url = try TargetURL(parsing: text)
        #expect(url.host == host)
        #expect(url.port == port)
    }

    @Test("bad URLs", arguments: ["https://x", "http://x:0", "http://x/api", "127.0.0.1:8000", "http://:80"])
    func badURL(text: String) {
        #expect(throws: LoadError.badArgument) { try TargetURL(parsing: text) }
    }

    @Test("durations", arguments: [("30s", 30_000.0), ("5m", 300_000), ("250ms", 250), ("1.5s", 1_500), ("100us", 0.1), ("2", 2_000)])
    func duration(text: String, milliseconds: Double) throws {
        #expect(try DurationText.parse(text, option: "--duration").milliseconds == milliseconds)
    }

    @Test("bad durations")
    func badDuration() {
        #expect(throws: LoadError.badArgument) { try DurationText.parse("soon", option: "--duration") }
        #expect(throws: LoadError.badArgument) { try DurationText.parse("-1s", option: "--duration") }
    }

    @Test("fields of JSON answers")
    func answerFields() {
        let buffer = ByteBuffer(string: #"{"ok": true, "tx_id" : "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", "status":"credited"}"#)
        #expect(AnswerFields.string("status", in: buffer) == "credited")
        #expect(AnswerFields.transactionID(in: buffer) == UUID(uuidString: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"))
        #expect(AnswerFields.string("missing", in: buffer) == nil)
        #expect(AnswerFields.string("ok", in: buffer) == nil, "not a string")
    }

    @Test("ISO 8601 timestamps to Unix milliseconds", arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-30T19:25:36.123Z", Int64(1_796_066_736_123)),
        ("2026-11-30T19:25:36.1Z", Int64(1_796_066_736_100)),
        ("2026-11-30T20:25:36.123+0100", Int64(1_796_066_736_123)),
        ("2026-11-30T18:25:36.123456-01:00", Int64(1_796_066_736_123)),
        ("2000-02-29T12:00:00Z", Int64(951_825_600_000)),
    ])
    func timestamps(text: String, milliseconds: Int64) {
        #expect(ISO8601Milliseconds.parse(text) == milliseconds)
    }

    @Test("bad timestamps", arguments: ["", "2026-11-30", "2026-11-30T19:25:36", "2026-11-30T19:25:36.123X"])
    func badTimestamps(text: String) {
        #expect(ISO8601Milliseconds.parse(text) == nil)
    }

    @Test("CPU time from /proc/<pid>/stat, whatever the command name")
    func processCPU() {
        let line = "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 4 0 100 0 0"
        #expect(ProcessCPU.parseStat(line) == 325)
        #expect(ProcessCPU.parseStat("garbage") == nil)
        #expect(ProcessCPU.seconds(pid: getpid()).map { $0 >= 0 } ?? true)
    }

    @Test("VmRSS lines")
    func residentMemory() {
        #expect(ResidentMemory.parseKilobytes("VmRSS:\t   45312 kB\n") == 45_312)
        #expect(ResidentMemory.bytes(pid: getpid()).map { $0 > 0 } ?? true)
    }
}
