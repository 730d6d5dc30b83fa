import Logging
import Synchronization

/// Keeps every log record a logger made by ``logger(label:)`` receives, at every level, for
/// tests that assert what was logged.
public final class LogCapture: Sendable {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let recorded = Mutex<[Record]>([])

    public init() {}

    public var records: [Record] { self.recorded.withLock { $0 } }

    /// A logger that writes here.
    public func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in CapturingLogHandler(capture: self) }
    }

    fileprivate func append(_ record: Record) { self.recorded.withLock { $0.append(record) } }
}

private struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        self.capture.append(LogCapture.Record(level: event.level, message: event.message.description, metadata: merged.mapValues(\.description)))
    }
}
