import Logging

/// Writes one JSON object per line:
///
/// ```json
/// {"ts":"2026-11-30T18:52:41.123Z","level":"info","event":"deposit_enqueued","label":"ingress","tx_id":"…"}
/// ```
///
/// The message is the `event` (messages are constant event names); metadata follows as
/// top-level keys, sorted: nested dictionaries become objects, arrays arrays, and every other
/// value its string form. Metadata keys that would shadow `ts`, `level`, `event` or `label`
/// are written as `metadata.<key>`. An event's error adds `error.type` and `error.message`.
///
/// Lines are built by hand into one byte buffer (no `JSONEncoder`, no `DateFormatter`) and
/// written whole under the ``LogOutput``'s lock.
public struct JSONLogHandler: LogHandler {
    static let reservedKeys: Set<String> = ["ts", "level", "event", "label"]

    /// The logger label, written as `label`.
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
        let now = self.clock.now()

        var line = JSONLine(capacity: 192 + 48 * metadata.count)
        line.beginObject()
        line.key("ts")
        line.rawString { LogTimestamp.append(now, to: &$0) }
        line.key("level")
        line.string(event.level.rawValue)
        line.key("event")
        line.string(event.message.description)
        line.key("label")
        line.string(self.label)
        for key in metadata.keys.sorted() {
            line.key(Self.reservedKeys.contains(key) ? "metadata.\(key)" : key)
            line.value(metadata[key]!)
        }
        line.endObject()

        var bytes = line.bytes
        bytes.append(UInt8(ascii: "\n"))
        self.output.writeLine(bytes)
    }
}
