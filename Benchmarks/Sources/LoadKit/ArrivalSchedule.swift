/// When each request of an open-loop run is due, and how many due requests are still waiting
/// for a connection.
///
/// Arrival `i` is due at `start + i × interval`; arrivals due at or after `end` do not exist.
/// Arrivals are handed out strictly in order, so the backlog is just the range between the
/// last arrival handed out and the last one due: nothing is stored per request. Times are
/// monotonic nanoseconds (`NIODeadline.uptimeNanoseconds`).
public struct ArrivalSchedule: Sendable, Hashable {
    public let start: UInt64
    public let end: UInt64
    /// Nanoseconds between two arrivals (fractional, so any rate is exact on average).
    public let interval: Double
    /// Arrivals already handed out for sending.
    public private(set) var dispatched = 0

    /// - Parameters:
    ///   - rate: Arrivals per second, > 0.
    ///   - start: The due time of arrival 0.
    ///   - end: No arrival is due at or after this time.
    public init(rate: Double, start: UInt64, end: UInt64) {
        precondition(rate > 0, "rate must be positive")
        self.start = start
        self.end = max(end, start)
        self.interval = 1e9 / rate
    }

    /// Every arrival of the run.
    public var total: Int {
        Int((Double(self.end - self.start) / self.interval).rounded(.up))
    }

    /// When arrival `index` is due.
    public func dueTime(of index: Int) -> UInt64 {
        self.start + UInt64(Double(index) * self.interval)
    }

    /// Arrivals due at or before `now`.
    public func arrived(by now: UInt64) -> Int {
        guard now >= self.start else { return 0 }
        let count = Int((Double(now - self.start) / self.interval).rounded(.down)) + 1
        return min(count, self.total)
    }

    /// Due arrivals not yet handed out.
    public func backlog(at now: UInt64) -> Int {
        self.arrived(by: now) - self.dispatched
    }

    /// Hands out the oldest due arrival: its index and due time, or nil when none is waiting.
    public mutating func next(at now: UInt64) -> (index: Int, due: UInt64)? {
        guard self.dispatched < self.arrived(by: now) else { return nil }
        defer { self.dispatched += 1 }
        return (self.dispatched, self.dueTime(of: self.dispatched))
    }

    /// When the next arrival after `now` is due, or nil when the schedule has no more.
    public func nextWakeUp(after now: UInt64) -> UInt64? {
        let arrived = self.arrived(by: now)
        return arrived < self.total ? self.dueTime(of: arrived) : nil
    }

    /// Arrivals never handed out; at the end of a run these are the dropped sends.
    public var undispatched: Int { self.total - self.dispatched }
}
