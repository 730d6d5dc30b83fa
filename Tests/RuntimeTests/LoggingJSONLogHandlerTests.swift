import Foundation
import Logging
import Synchronization
import Testing

@testable import Runtime

/// Collects the lines a ``LogOutput`` receives.
final class LogLines: Sendable {
    private let storage = Mutex<[String]>([])

    var output: LogOutput {
        LogOutput { line in self.storage.withLock { $0.append(line) } }
    }

    var all: [String] { self.storage.withLock { $0 } }
}

/// 2026-11-30T18:52:41.123Z
let logTestInstant: Duration = .seconds(1_796_064_761) + .milliseconds(123)

@Suite("JSONLogHandler")
struct LoggingJSONLogHandlerTests {
    private func logger(_ lines: LogLines, level: Logger.Level = .info) -> Logger {
        let output = lines.output
        return Logger(label: "cricalgo.ingress") { label in
            JSONLogHandler(label: label, level: level, output: output, clock: .fixed(logTestInstant))
        }
    }

    private func object(_ line: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(value as? [String: Any])
    }

    @Test("one JSON object per line with ts, level, event, label and flattened metadata")
    func shape() throws {
        let lines = LogLines()
        self.logger(lines).info("deposit_enqueued", metadata: ["tx_id": "42", "tx_hash": "0xabc"])

        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasPrefix(#"{"ts":"2026-11-30T18:52:41.123Z","level":"info","event":"deposit_enqueued","label":"cricalgo.ingress","#))
        let object = try self.object(line)
        #expect(object["ts"] as? String == "2026-11-30T18:52:41.123Z")
        #expect(object["level"] as? String == "info")
        #expect(object["event"] as? String == "deposit_enqueued")
        #expect(object["label"] as? String == "cricalgo.ingress")
        #expect(object["tx_id"] as? String == "42")
        #expect(object["tx_hash"] as? String == "0xabc")
    }

    @Test(
        "tricky strings survive escaping",
        arguments: [
            #"quote " and backslash \ end"#,
            "newline\nreturn\rtab\tbell\u{07}nul\u{00}escape\u{1B}del\u{7F}",
            "unicode: é 漢字 🚀 \u{2028}\u{2029} zero-width\u{200B}",
            #"{"looks":"like json"}"#,
            "",
            "\\u0041 is not an escape here",
        ]
    )
    func escaping(_ text: String) throws {
        let lines = LogLines()
        self.logger(lines).warning("tricky_value", metadata: ["value": .string(text), text: "as a key"])

        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        let object = try self.object(line)
        #expect(object["value"] as? String == text)
        if !text.isEmpty && !JSONLogHandler.reservedKeys.contains(text) {
            #expect(object[text] as? String == "as a key")
        }
    }

    @Test("metadata values: nested dictionaries, arrays and string-convertibles")
    func metadataTypes() throws {
        let lines = LogLines()
        self.logger(lines).info(
            "deposit_task_completed",
            metadata: [
                "duration_s": .stringConvertible(0.25),
                "attempts": .stringConvertible(3),
                "worker": ["id": "w-1", "shard": .stringConvertible(2), "tags": ["a", "b"]],
                "outcomes": ["credited", .stringConvertible(true), ["nested": "x"]],
            ]
        )
        let object = try self.object(try #require(lines.all.first))
        #expect(object["duration_s"] as? String == "0.25")
        #expect(object["attempts"] as? String == "3")
        let worker = try #require(object["worker"] as? [String: Any])
        #expect(worker["id"] as? String == "w-1")
        #expect(worker["shard"] as? String == "2")
        #expect(worker["tags"] as? [String] == ["a", "b"])
        let outcomes = try #require(object["outcomes"] as? [Any])
        #expect(outcomes.count == 3)
        #expect(outcomes[0] as? String == "credited")
        #expect(outcomes[1] as? String == "true")
        #expect((outcomes[2] as? [String: String]) == ["nested": "x"])
    }

    @Test("metadata keys are sorted and never shadow the fixed keys")
    func keysSortedAndReservedKeysKept() throws {
        let lines = LogLines()
        var logger = self.logger(lines)
        logger[metadataKey: "label"] = "spoofed"
        logger.info("event_name", metadata: ["b": "2", "a": "1", "level": "spoofed", "event": "spoofed", "ts": "x"])

        let line = try #require(lines.all.first)
        let object = try self.object(line)
        #expect(object["level"] as? String == "info")
        #expect(object["event"] as? String == "event_name")
        #expect(object["label"] as? String == "cricalgo.ingress")
        #expect(object["metadata.level"] as? String == "spoofed")
        #expect(object["metadata.label"] as? String == "spoofed")
        #expect(object["metadata.ts"] as? String == "x")
        let a = try #require(line.range(of: #""a":"1""#))
        let b = try #require(line.range(of: #""b":"2""#))
        #expect(a.lowerBound < b.lowerBound)
    }

    @Test("levels below the handler's level are filtered")
    func levelFiltering() throws {
        let lines = LogLines()
        let logger = self.logger(lines, level: .notice)
        logger.trace("dropped_trace")
        logger.debug("dropped_debug")
        logger.info("dropped_info")
        logger.notice("kept_notice")
        logger.warning("kept_warning")
        logger.error("kept_error")
        logger.critical("kept_critical")

        let events = try lines.all.map { try self.object($0) }
        #expect(events.compactMap { $0["event"] as? String } == ["kept_notice", "kept_warning", "kept_error", "kept_critical"])
        #expect(events.compactMap { $0["level"] as? String } == ["notice", "warning", "error", "critical"])
    }

    @Test("handler metadata, provider metadata and call metadata merge, the call winning")
    func metadataMerging() throws {
        let lines = LogLines()
        let output = lines.output
        let provider = Logger.MetadataProvider { ["request.id": "r-1", "source": "provider"] }
        var logger = Logger(label: "merge") { label in
            JSONLogHandler(label: label, output: output, clock: .fixed(logTestInstant), metadataProvider: provider)
        }
        logger[metadataKey: "service"] = "webhooks"
        logger[metadataKey: "source"] = "handler"
        logger.info("merged", metadata: ["source": "call"])

        let object = try self.object(try #require(lines.all.first))
        #expect(object["service"] as? String == "webhooks")
        #expect(object["request.id"] as? String == "r-1")
        #expect(object["source"] as? String == "call")
    }

    @Test("an event's error adds its type and log-safe description")
    func errorMetadata() throws {
        let lines = LogLines()
        self.logger(lines).error("config_rejected", error: RuntimeError(.invalidConfiguration, "PORT must be set"))
        let object = try self.object(try #require(lines.all.first))
        #expect(object["error.message"] as? String == "invalid configuration: PORT must be set")
        #expect((object["error.type"] as? String)?.hasSuffix("RuntimeError") == true)
    }

    @Test("concurrent loggers write whole lines")
    func concurrentLinesStayWhole() async throws {
        let lines = LogLines()
        let logger = self.logger(lines)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<200 {
                        logger.info("concurrent", metadata: ["task": "\(task)", "index": "\(index)"])
                    }
                }
            }
        }
        #expect(lines.all.count == 1_600)
        for line in lines.all {
            #expect(try self.object(line)["event"] as? String == "concurrent")
        }
    }

    @Test("LoggingSetup makes the handler for each format")
    func setupFactory() throws {
        let lines = LogLines()
        let output = lines.output
        for format in LogFormat.allCases {
            let handler = LoggingSetup.makeHandler(
                label: "setup",
                format: format,
                level: .debug,
                output: output,
                clock: .fixed(logTestInstant)
            )
            #expect(handler.logLevel == .debug)
            Logger(label: "setup") { _ in handler }.debug("made")
        }
        #expect(lines.all.count == 2)
        #expect(try self.object(lines.all[0])["event"] as? String == "made")
        #expect(lines.all[1] == "2026-11-30T18:52:41.123Z debug made")
    }

    @Test("handlers are values: changing a copy leaves the original alone")
    func valueSemantics() {
        let lines = LogLines()
        var first = self.logger(lines)
        first.logLevel = .debug
        first[metadataKey: "only-on"] = "first"
        var second = first
        second.logLevel = .error
        second[metadataKey: "only-on"] = "second"
        #expect(first.logLevel == .debug)
        #expect(second.logLevel == .error)
        #expect(first[metadataKey: "only-on"] == "first")
        #expect(second[metadataKey: "only-on"] == "second")
    }
}
