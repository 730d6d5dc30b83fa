import Runtime
import Synchronization

/// Lets closures created before the root supervisor reach it once it exists.
final class SupervisorReference: Sendable {
    private let box = Mutex<Supervisor<ContinuousClock>?>(nil)

    var supervisor: Supervisor<ContinuousClock>? { self.box.withLock { $0 } }

    func set(_ supervisor: Supervisor<ContinuousClock>) {
        self.box.withLock { $0 = supervisor }
    }
}
