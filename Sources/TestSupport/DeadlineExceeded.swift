/// ``withDeadline(_:_:_:)``'s body, or a polled condition, did not finish within its limit.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var what: String
    public var limit: Duration

    public init(what: String, limit: Duration) {
        self.what = what
        self.limit = limit
    }

    public var description: String { "\(self.what) did not finish within \(self.limit)" }
}
