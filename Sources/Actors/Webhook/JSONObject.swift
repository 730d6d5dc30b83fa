/// A JSON object: members in document order, each with the byte range of its value in the
/// source document (so a member such as `metadata` can be stored exactly as it arrived).
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
        /// Where the value's text lies in the parsed bytes.
        public var sourceRange: Range<Int>
    }

    public var members: [Member]

    public init(members: [Member]) {
        self.members = members
    }

    public subscript(key: String) -> JSONValue? {
        self.members.first { $0.key == key }?.value
    }
}
