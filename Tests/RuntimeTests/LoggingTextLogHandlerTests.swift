import Logging
import Testing

@testable import Runtime

@Suite("TextLogHandler")
struct LoggingTextLogHandlerTests {
    private func logger(_ lines: LogLines, level: Logger.Level = .info) -> Logger {
        let output = lines.output
        return Logger(label: "dev") { label in
            TextLogHandler(label: label, level: level, output: output, clock: .fixed(logTestInstant))
        }
    }

    @Test("timestamp, level, event, then sorted key=value pairs")
    func shape() {
        let lines = LogLines()
        self.logger(lines).info("deposit_enqueued", metadata: ["tx_id": "42", "tx_hash": "0xabc"])
        #expect(lines.all == ["2026-11-30T18:52:41.123Z info deposit_enqueued tx_hash=0xabc tx_id=42"])
    }

    @Test("values that could be misread are quoted and escaped")
    func quoting() {
        let lines = LogLines()
        self.logger(lines).warning(
            "tricky",
            metadata: [
                "a": "two words",
                "b": "k=v",
                "c": "",
                "d": "line\nbreak",
                "e": #"say "hi""#,
                "f": "plain-value_1.0",
            ]
        )
        #expect(
            lines.all == [
                #"2026-11-30T18:52:41.123Z warning tricky a="two words" b="k=v" c="" d="line\nbreak" e="say \"hi\"" f=plain-value_1.0"#
            ]
        )
    }

    @Test("nested metadata is written as JSON; string-convertibles as strings")
    func nested() {
        let lines = LogLines()
        self.logger(lines).info(
            "nested",
            metadata: ["worker": ["id": "w-1", "tags": ["a", "b"]], "count": .stringConvertible(3)]
        )
        #expect(lines.all == [#"2026-11-30T18:52:41.123Z info nested count=3 worker={"id":"w-1","tags":["a","b"]}"#])
    }

    @Test("levels below the handler's level are filtered")
    func levelFiltering() {
        let lines = LogLines()
        let logger = self.logger(lines, level: .warning)
        logger.info("dropped")
        logger.warning("kept")
        #expect(lines.all == ["2026-11-30T18:52:41.123Z warning kept"])
    }
}
