#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall-clock time log lines are stamped with, as the time since the Unix epoch
/// (1970-01-01T00:00:00Z).
///
/// Injected so that tests can pin the timestamp; ``system`` reads `CLOCK_REALTIME`.
public struct LogClock: Sendable {
    private let read: @Sendable () -> Duration

    /// A clock that calls `read` for the time since the Unix epoch.
    public init(_ read: @escaping @Sendable () -> Duration) {
        self.read = read
    }

    /// The current time since the Unix epoch.
    public func now() -> Duration {
        self.read()
    }

    /// The system's real-time clock.
    public static let system = LogClock {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
    }

    /// A clock that always reads `sinceEpoch`.
    public static func fixed(_ sinceEpoch: Duration) -> LogClock {
        LogClock { sinceEpoch }
    }
}
