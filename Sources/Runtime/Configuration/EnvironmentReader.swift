/// Reads typed configuration from environment variables.
///
/// Only the executable reads the process environment; it hands the values to a reader:
///
/// ```swift
/// let environment = EnvironmentReader(ProcessInfo.processInfo.environment, secretNames: ["API_KEY"])
/// let port = try environment.int("PORT", default: 8000, range: 1...65535)
/// ```
///
/// Surrounding whitespace (a trailing newline from a secret file included) is trimmed from
/// every value, and an unset, empty or blank variable yields the default. A value that still
/// holds a control character is refused. A malformed or out-of-range value
/// throws ``RuntimeError`` with code `invalidConfiguration` whose description names the
/// variable, what it expects and the value received, e.g.
/// `invalid configuration: PORT must be an integer in 1...65535, got "abc"`. The value of a
/// secret variable (see ``secretNames``) is never repeated.
public struct EnvironmentReader: Sendable {
    /// Variables whose values never appear in error messages.
    public let secretNames: Set<String>
    private let values: [String: String]

    /// - Parameters:
    ///   - values: Variable names and values, typically the process environment.
    ///   - secretNames: Variables whose values are never echoed; the caller knows which of
    ///     its variables hold secrets.
    public init(_ values: [String: String], secretNames: Set<String>) {
        self.values = values
        self.secretNames = secretNames
    }

    /// Whether errors about `name` leave its value out.
    public func isSecret(_ name: String) -> Bool {
        self.secretNames.contains(name)
    }

    /// Whether `name` is present at all, even empty.
    public func isSet(_ name: String) -> Bool {
        self.values[name] != nil
    }

    /// The value without surrounding whitespace (a secret file's trailing newline
    /// included); `nil` if unset, empty or only whitespace.
    ///
    /// - Throws: `invalidConfiguration` naming the variable if the trimmed value contains
    ///   a control character.
    public func string(_ name: String) throws -> String? {
        guard let value = self.trimmed(name) else { return nil }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw self.invalid(name, expected: "free of control characters", got: value)
        }
        return value
    }

    /// The trimmed value of a variable that must be set.
    ///
    /// - Throws: `invalidConfiguration` if it is unset, empty or holds control characters.
    public func requiredString(_ name: String) throws -> String {
        guard let value = try self.string(name) else {
            throw RuntimeError(.invalidConfiguration, "\(name) must be set")
        }
        return value
    }

    /// The first of `names` that is set and not blank, with its name: for aliases such as
    /// `WORKER_CONCURRENCY` / `CELERY_WORKER_CONCURRENCY`, where the earlier name wins.
    public func first(of names: String...) throws -> (name: String, value: String)? {
        try self.first(of: names)
    }

    /// The first of `names` that is set and not blank, with its name.
    public func first(of names: [String]) throws -> (name: String, value: String)? {
        for name in names {
            if let value = try self.string(name) {
                return (name, value)
            }
        }
        return nil
    }

    /// An integer within `range`, or `default` if unset.
    public func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        precondition(range.contains(defaultValue), "default of \(name) must lie in \(range)")
        guard let text = self.trimmed(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw self.invalid(name, expected: "an integer in \(range.lowerBound)...\(range.upperBound)", got: text)
        }
        return value
    }

    /// A boolean, or `default` if unset. Accepts true/false, 1/0, yes/no and on/off, in any case.
    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let text = self.trimmed(name) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw self.invalid(name, expected: "a boolean (true/false, 1/0, yes/no, on/off)", got: text)
        }
    }

    /// One of `T`'s cases by raw value, in any case, or `default` if unset.
    public func choice<T: RawRepresentable & CaseIterable>(
        _ name: String,
        default defaultValue: T
    ) throws -> T where T.RawValue == String {
        guard let text = self.trimmed(name) else { return defaultValue }
        let wanted = text.lowercased()
        if let match = T.allCases.first(where: { $0.rawValue.lowercased() == wanted }) {
            return match
        }
        let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw self.invalid(name, expected: "one of \(choices)", got: text)
    }

    // MARK: Helpers

    /// The value without surrounding whitespace; `nil` if unset, empty or only whitespace.
    func trimmed(_ name: String) -> String? {
        guard let value = self.values[name] else { return nil }
        let trimmed = value.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The error for a bad value: names the variable and what it expects, and repeats the
    /// value (quoted, escaped, at most 64 characters) unless the variable is secret.
    func invalid(_ name: String, expected: String, got value: String) -> RuntimeError {
        let received = self.isSecret(name) ? "got a value that is not shown (secret)" : "got \(Self.quoted(value))"
        return RuntimeError(.invalidConfiguration, "\(name) must be \(expected), \(received)")
    }

    static func quoted(_ value: String) -> String {
        let limit = 64
        var result = "\""
        for (offset, character) in value.enumerated() {
            if offset == limit {
                result += "…"
                break
            }
            for scalar in character.unicodeScalars {
                switch scalar {
                case "\"": result += "\\\""
                case "\\": result += "\\\\"
                case "\n": result += "\\n"
                case "\r": result += "\\r"
                case "\t": result += "\\t"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                default: result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = self.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
