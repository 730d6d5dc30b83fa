import Actors
import Foundation
import Synchronization

/// A wall clock that tests move by hand (lease expiry, retry schedules).
public final class ManualWallClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.current = Mutex(start)
    }

    public var now: Date { self.current.withLock { $0 } }

    public func advance(by duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        self.current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The clock as the stores take it.
    public var wallClock: WallClock {
        WallClock { self.now }
    }
}
