import Foundation

extension UUID {
    /// Lower-case text, as the API prints identifiers.
    var apiString: String { self.uuidString.lowercased() }
}
