/// How a child's body ended, as the task running it saw it.
enum SupervisorChildExit: Hashable, Sendable {
    /// The body returned.
    case returned
    /// The body threw; `reason` is the error's log-safe description.
    case threw(reason: String)

    /// The exit as logged and reported: `normal`, or the error's description.
    var reason: String {
        switch self {
        case .returned: "normal"
        case .threw(let reason): reason
        }
    }
}
