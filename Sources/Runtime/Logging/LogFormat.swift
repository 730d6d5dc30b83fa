/// How log lines are written (`LOG_FORMAT`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, for log shippers (``JSONLogHandler``).
    case json
    /// `timestamp level event key=value ...`, for people (``TextLogHandler``).
    case text
}
