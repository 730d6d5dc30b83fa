/// What the group committer does after a transaction that queued deposits for crediting:
/// the service wakes its idle workers (``JobSignal``) so they claim the new jobs at once
/// rather than at their next poll.
///
/// An explicit hook of ``GroupCommitter/Configuration``, so that the committer's
/// ``GroupCommitter/Observer`` only observes.
public struct WorkerWakeUp: Sendable {
    private let wake: @Sendable (_ readyCommitted: Int) -> Void

    /// - Parameter wake: called with the number of deposits one committed transaction
    ///   queued (always more than zero). It runs on the committer's task: it must not block.
    public init(_ wake: @escaping @Sendable (_ readyCommitted: Int) -> Void) {
        self.wake = wake
    }

    /// Wakes no one (an API-only test, a benchmark).
    public static let none = WorkerWakeUp { _ in }

    /// Wakes one waiting worker per queued deposit, at most `limit` (the number of
    /// workers: more permits than workers would only make them look at an empty queue).
    public static func signal(_ signal: JobSignal, limit: Int) -> WorkerWakeUp {
        WorkerWakeUp { count in signal.notify(count: min(count, max(1, limit))) }
    }

    /// Reports a committed transaction that queued `readyCommitted` deposits; nothing
    /// happens for zero.
    func callAsFunction(readyCommitted: Int) {
        guard readyCommitted > 0 else { return }
        self.wake(readyCommitted)
    }
}
