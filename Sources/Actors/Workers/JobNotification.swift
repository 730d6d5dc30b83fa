/// The payload of a `NOTIFY cricalgo_deposit_jobs`: "<jobs queued> <sender>" from ingest
/// (``IngestStatement``), or empty from an admin requeue.
///
/// The sender is the notifying store's ``PostgresStore/notificationSender``. A `serve`
/// process wakes its own workers directly when its ingest commits, so its listener skips the
/// notifications its own store sent: the same jobs would otherwise wake a second worker each,
/// only to find them claimed.
public struct JobNotification: Sendable, Equatable {
    /// Jobs the notifying transaction queued; nil when the payload carries no count.
    public var jobs: Int?
    /// The notifying store; nil when the payload names none.
    public var sender: String?

    public init(jobs: Int?, sender: String?) {
        self.jobs = jobs
        self.sender = sender
    }

    /// Reads a payload; what it cannot read as a positive count is no count.
    public init(payload: String) {
        let parts = payload.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let count = parts.first.flatMap { Int($0) }
        self.jobs = count.flatMap { $0 > 0 ? $0 : nil }
        self.sender = parts.count == 2 && !parts[1].isEmpty ? String(parts[1]) : nil
    }

    /// How many workers to wake: none for a notification `ownSender` sent, else its count of
    /// jobs between 1 and `limit`, or `limit` when it carries no count.
    public func workersToWake(limit: Int, ownSender: String?) -> Int {
        if let ownSender, self.sender == ownSender { return 0 }
        let limit = max(1, limit)
        guard let jobs else { return limit }
        return min(jobs, limit)
    }
}
