import Synchronization

/// A flag one task sets and others read (a load loop checks it to stop).
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isSet: Bool { self.flag.load(ordering: .acquiring) }

    public func set() { self.flag.store(true, ordering: .releasing) }
}
