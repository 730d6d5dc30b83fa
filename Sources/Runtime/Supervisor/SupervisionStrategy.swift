/// Which children a supervisor restarts when one of them fails, in Erlang/OTP terms.
///
/// With children `a`, `b`, `c`, `d` started in that order and `b` failing:
///
/// | strategy       | stopped (in this order) | restarted (in this order) |
/// |----------------|-------------------------|---------------------------|
/// | `oneForOne`    | nothing                 | `b`                       |
/// | `oneForAll`    | `d`, `c`, `a`           | `a`, `b`, `c`, `d`        |
/// | `restForOne`   | `d`, `c`                | `b`, `c`, `d`             |
///
/// Siblings are stopped like at shutdown (asked to stop, then cancelled after their
/// shutdown timeout). `temporary` siblings that get stopped this way are removed, not restarted.
public enum SupervisionStrategy: String, Sendable, Codable, Hashable {
    /// Restart only the failed child: the children are independent of each other.
    case oneForOne = "one_for_one"
    /// Restart every child: each child depends on all the others.
    case oneForAll = "one_for_all"
    /// Restart the failed child and those started after it: each child depends on the ones before it.
    case restForOne = "rest_for_one"
}
