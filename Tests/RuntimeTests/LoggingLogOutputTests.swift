import Foundation
import Logging
import Testing

@testable import Runtime

@Suite("LogOutput")
struct LoggingLogOutputTests {
    @Test("lines written to a file descriptor arrive whole and in order")
    func fileDescriptor() throws {
        let pipe = Pipe()
        let output = LogOutput(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        let logger = Logger(label: "fd") { label in
            JSONLogHandler(label: label, output: output, clock: .fixed(logTestInstant))
        }
        let long = String(repeating: "é", count: 5_000)
        logger.info("first", metadata: ["n": "1"])
        logger.info("second", metadata: ["long": .string(long)])
        try pipe.fileHandleForWriting.close()

        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines.last == "")
        #expect(lines.first == #"{"ts":"2026-11-30T18:52:41.123Z","level":"info","event":"first","label":"fd","n":"1"}"#)
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(second?["long"] as? String == long)
    }
}
