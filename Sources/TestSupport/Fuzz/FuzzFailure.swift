/// An invariant a fuzz check found violated, with what was seen.
public struct FuzzFailure: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    /// Throws `message` unless `condition` holds.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFailure) {
        guard condition else { throw FuzzFailure(message()) }
    }
}
