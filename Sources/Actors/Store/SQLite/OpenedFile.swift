import Foundation
import Synchronization

/// The identity of the file a factory's first connection opened.
final class OpenedFile: Sendable {
    private let value = Mutex<FileIdentity?>(nil)

    var identity: FileIdentity? { self.value.withLock { $0 } }

    func record(_ identity: FileIdentity) {
        self.value.withLock { if $0 == nil { $0 = identity } }
    }
}
