import Foundation

/// Calendar time for records and leases, injectable so tests can move it.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The system's clock.
    public static let system = WallClock { Date() }

    public func now() -> Date { self.read() }
}

extension Date {
    /// Milliseconds since 1970, as the SQLite store keeps times.
    var unixMilliseconds: Int64 { Int64((self.timeIntervalSince1970 * 1000).rounded(.down)) }

    init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }

    func adding(_ duration: Duration) -> Date {
        self.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

extension Duration {
    /// The duration in whole milliseconds, as the SQLite store keeps times.
    var wholeMilliseconds: Int64 {
        self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
    }
}
