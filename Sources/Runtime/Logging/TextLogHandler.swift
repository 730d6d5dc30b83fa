import Logging

/// Writes human-readable lines for development:
///
/// ```
/// 2026-11-30T18:52:41.123Z info deposit_enqueued tx_hash=0xabc tx_id=42
/// ```
///
/// Metadata follows the event as `key=value`, sorted by key. A value that is empty or holds
/// a space, `=`, a quote or a control character is quoted and escaped; nested dictionaries and
/// arrays are written as JSON.
public struct TextLogHandler: LogHandler {
    /// The logger label (not written; lines stay short).
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput
    private let clock: LogClock

    /// - Parameters:
    ///   - label: The logger label.
    ///   - level: The lowest level written. Default `.info`.
    ///   - output: Where lines go. Default standard output.
    ///   - clock: The timestamp source. Default the system real-time clock.
    ///   - metadataProvider: Contributes metadata to every line, e.g. from task locals.
    public init(
        label: String,
        level: Logger.Level = .info,
        output: LogOutput = .standardOutput,
        clock: LogClock = .system,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.output = output
        self.clock = clock
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let metadata = LogMetadata.merged(handler: self.metadata, provider: self.metadataProvider, event: event)

        var bytes = [UInt8]()
        bytes.reserveCapacity(128 + 32 * metadata.count)
        LogTimestamp.append(self.clock.now(), to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: event.level.rawValue.utf8)
        bytes.append(UInt8(ascii: " "))
        Self.appendScalar(event.message.description, to: &bytes)
        for key in metadata.keys.sorted() {
            bytes.append(UInt8(ascii: " "))
            Self.appendScalar(key, to: &bytes)
            bytes.append(UInt8(ascii: "="))
            Self.appendValue(metadata[key]!, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
        self.output.writeLine(bytes)
    }

    private static func appendValue(_ value: Logger.MetadataValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let string):
            Self.appendScalar(string, to: &bytes)
        case .stringConvertible(let convertible):
            Self.appendScalar(convertible.description, to: &bytes)
        case .dictionary, .array:
            var json = JSONLine(capacity: 64)
            json.value(value)
            bytes.append(contentsOf: json.bytes)
        }
    }

    /// Appends `string` bare if it cannot be misread, else quoted and JSON-escaped.
    private static func appendScalar(_ string: String, to bytes: inout [UInt8]) {
        let needsQuotes =
            string.isEmpty
            || string.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x7F || $0 == 0xE2 }
        guard needsQuotes else {
            bytes.append(contentsOf: string.utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        JSONLine.appendEscaped(string, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
}
