import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `HOST` value is, checked without any lookup.
enum HostName {
    enum Kind: Equatable {
        case ipv4([UInt8])
        case ipv6([UInt8])
        case name(String)

        /// An IPv4 or IPv6 literal (without brackets) or an RFC 1123 host name; nil otherwise.
        init?(_ text: String) {
            if let bytes = HostName.address(text, family: AF_INET, size: 4) {
                self = .ipv4(bytes)
            } else if let bytes = HostName.address(text, family: AF_INET6, size: 16) {
                self = .ipv6(bytes)
            } else if HostName.isValidName(text) {
                self = .name(text)
            } else {
                return nil
            }
        }

        /// 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104, or `localhost`.
        var isLoopback: Bool {
            switch self {
            case .ipv4(let bytes):
                return bytes[0] == 127
            case .ipv6(let bytes):
                let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
                let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
                return bytes == loopback || (Array(bytes.prefix(12)) == mappedPrefix && bytes[12] == 127)
            case .name(let name):
                let lowered = name.lowercased()
                return lowered == "localhost" || lowered == "localhost."
            }
        }
    }

    /// Labels of 1–63 letters, digits and hyphens (not at either end), 253 bytes at most,
    /// an optional final dot.
    static func isValidName(_ text: String) -> Bool {
        var name = Substring(text)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = label.utf8
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == UInt8(ascii: "-")
            }
        }
    }

    /// `text` as a binary address of `family`, or nil when it is not such a literal.
    static func address(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        guard !text.utf8.contains(0) else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        let converted = bytes.withUnsafeMutableBytes { buffer in inet_pton(family, text, buffer.baseAddress) }
        return converted == 1 ? bytes : nil
    }

    /// Quoted and cut short for an error message (HOST is not a secret).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars.prefix(64) {
            result += scalar.properties.generalCategory == .control || scalar == "\"" ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return result + (text.unicodeScalars.count > 64 ? "…\"" : "\"")
    }
}
