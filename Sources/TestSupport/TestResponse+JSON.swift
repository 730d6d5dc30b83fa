import Foundation
import HummingbirdTesting
import NIOCore

extension TestResponse {
    /// The body parsed as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(self.body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    public var text: String { String(buffer: self.body) }
}
