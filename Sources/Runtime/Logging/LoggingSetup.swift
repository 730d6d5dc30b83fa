import Logging

/// Makes the project's log handlers. Bootstrapping `LoggingSystem` stays the executable's job:
///
/// ```swift
/// LoggingSystem.bootstrap { label, provider in
///     LoggingSetup.makeHandler(label: label, format: format, level: level, metadataProvider: provider)
/// }
/// ```
public enum LoggingSetup {
    /// A handler writing `format` lines at `level` and above.
    ///
    /// - Parameters:
    ///   - output: Where lines go. Default standard output (shared, so lines never interleave).
    ///   - clock: The timestamp source. Default the system real-time clock.
    ///   - metadataProvider: Contributes metadata to every line.
    public static func makeHandler(
        label: String,
        format: LogFormat,
        level: Logger.Level,
        output: LogOutput = .standardOutput,
        clock: LogClock = .system,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> any LogHandler {
        switch format {
        case .json:
            JSONLogHandler(label: label, level: level, output: output, clock: clock, metadataProvider: metadataProvider)
        case .text:
            TextLogHandler(label: label, level: level, output: output, clock: clock, metadataProvider: metadataProvider)
        }
    }
}
