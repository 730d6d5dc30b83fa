/// One Prometheus label of a series: a name and its value.
///
/// Keys keep their labels sorted by name, so `[("method", "GET"), ("code", "200")]` and
/// `[("code", "200"), ("method", "GET")]` identify the same series.
public struct Label: Sendable, Hashable {
    /// The label name; matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with `__`.
    public var name: String
    /// The label value; any string (the exposition escapes it).
    public var value: String

    /// A label `name="value"`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// A label `name="value"`.
    public init(_ name: String, _ value: String) {
        self.init(name: name, value: value)
    }
}
