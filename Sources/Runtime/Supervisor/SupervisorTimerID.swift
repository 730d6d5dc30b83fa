/// Identifies one timer (a restart delay or a shutdown timeout) a supervisor scheduled.
struct SupervisorTimerID: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64
    var description: String { "timer#\(self.value)" }
}
