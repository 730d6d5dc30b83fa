import Foundation

/// The canonical spelling of the values that identify a transfer and its user.
///
/// One transfer can be written several ways: a 32-byte transaction hash with or without
/// `0x`, in upper or lower case; a user id as a UUID in either case. The key a deposit is
/// stored under must not depend on the spelling, or one transfer could be credited once per
/// spelling. Opaque references (anything that is not a 64-digit hex hash, or not a UUID)
/// stay exactly as sent.
public enum TransferIdentity {
    /// `0x` followed by the 64 hex digits in lower case, when `txHash` is a 64-digit hex hash
    /// with or without a `0x`/`0X` prefix; otherwise `txHash` unchanged.
    public static func canonicalTxHash(_ txHash: String) -> String {
        var digits = Substring(txHash)
        if digits.utf8.count == 66, digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
        }
        guard digits.utf8.count == 64, digits.utf8.allSatisfy(Self.isHexDigit) else { return txHash }
        return "0x" + digits.lowercased()
    }

    /// The lower-case hyphenated form when `userRef` is a UUID; otherwise `userRef` unchanged.
    public static func canonicalUserRef(_ userRef: String) -> String {
        guard userRef.utf8.count == 36, let uuid = UUID(uuidString: userRef) else { return userRef }
        return uuid.uuidString.lowercased()
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
