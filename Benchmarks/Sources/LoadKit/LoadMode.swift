/// How requests are paced.
public enum LoadMode: Sendable, Hashable {
    /// k6-style closed loop: each virtual user owns one connection and sends its next request
    /// as soon as the previous one is answered. Latency is measured from the actual send.
    case closed(virtualUsers: Int)
    /// wrk2-style open loop: requests are due at a fixed rate whatever the server does; a due
    /// request waits for a free connection, and its latency is measured from the time it was
    /// due (coordinated omission corrected).
    case open(rate: Double, connections: Int)

    /// Connections the mode opens (for webhooks; status polling has its own).
    public var connections: Int {
        switch self {
        case .closed(let virtualUsers): virtualUsers
        case .open(_, let connections): connections
        }
    }

    public var name: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        }
    }
}

/// Named load shapes matching the deployment's own checks.
public enum LoadProfile: String, Sendable, CaseIterable {
    /// 50 virtual users for 30 seconds.
    case short
    /// 100 virtual users for 5 minutes.
    case long

    public var virtualUsers: Int {
        switch self {
        case .short: 50
        case .long: 100
        }
    }

    public var duration: Duration {
        switch self {
        case .short: .seconds(30)
        case .long: .seconds(300)
        }
    }
}
