/// The service under load: `http://host[:port]`. Only plain HTTP over TCP is supported; the
/// harness measures the service, not TLS.
public struct TargetURL: Sendable, Hashable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://host`, `http://host:port` (a trailing `/` is allowed).
    ///
    /// - Throws: ``LoadError/badArgument`` for another scheme, a path, or a bad port.
    public init(parsing text: String) throws(LoadError) {
        guard text.hasPrefix("http://") else {
            throw LoadError.badArgument.with("--url must start with http:// (got \(text))")
        }
        var rest = Substring(text.dropFirst("http://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else {
            throw LoadError.badArgument.with("--url must be http://host[:port] without a path")
        }
        if rest.hasPrefix("[") {
            // [IPv6]:port
            guard let close = rest.firstIndex(of: "]") else { throw LoadError.badArgument.with("--url has an unclosed [") }
            self.host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            self.port = try Self.port(after.isEmpty ? nil : after.dropFirst())
            return
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { throw LoadError.badArgument.with("--url host is malformed") }
        self.host = String(parts[0])
        self.port = try Self.port(parts.count == 2 ? parts[1] : nil)
    }

    private static func port(_ text: Substring?) throws(LoadError) -> Int {
        guard let text else { return 80 }
        guard let port = Int(text), (1...65_535).contains(port) else {
            throw LoadError.badArgument.with("--url port must be 1-65535")
        }
        return port
    }

    /// The `Host` header value.
    public var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return self.port == 80 ? host : "\(host):\(self.port)"
    }

    public var description: String { "http://\(self.hostHeader)" }
}
