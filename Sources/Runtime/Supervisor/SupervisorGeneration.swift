/// Identifies one incarnation of a child, unique over a supervisor's lifetime, so that an
/// exit reported by an old incarnation is recognised as stale and ignored.
struct SupervisorGeneration: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64
    var description: String { "#\(self.value)" }
}
