import Logging

extension Logger {
    /// A logger that drops everything: for tests that do not read what is logged (tests
    /// that do use ``LogCapture``).
    public static func silent(_ label: String = "test") -> Logger {
        Logger(label: label) { _ in SwiftLogNoOpLogHandler() }
    }
}
