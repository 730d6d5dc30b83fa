/// What a ``ProbeChild`` throws when told to crash; its description is "probe <name> crashed".
public struct ProbeChildError: Error, Hashable, CustomStringConvertible {
    public var child: String

    public init(child: String) { self.child = child }

    public var description: String { "probe \(self.child) crashed" }
}
