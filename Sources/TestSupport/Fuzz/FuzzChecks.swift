import Actors

/// The invariants the fuzz targets check, one function per target.
///
/// Each takes the raw fuzz input and throws ``FuzzFailure`` naming the violated invariant.
/// A crash, a trap or a sanitizer report inside the code under test is a failure too (it
/// ends the process). The fuzz package (`Tests/Fuzz`) compiles this folder through a link,
/// and `FuzzRegressionTests` replays the saved fail cases and the seed corpus through the
/// same functions, so a fix is proven by exactly the check that found the bug.
public enum FuzzChecks {
    /// Shortest form of `text` for a failure message: at most 120 characters, then the length.
    static func excerpt(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let shown = String(String.UnicodeScalarView(scalars.prefix(120))).debugDescription
        return scalars.count > 120 ? "\(shown)… (\(text.utf8.count) bytes)" : shown
    }

    /// C0 controls, DEL and C1 controls: U+0000–U+001F, U+007F–U+009F.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x1F || (0x7F...0x9F).contains(scalar.value)
    }

    /// Controls, format characters (Cf: bidi marks and embeddings, zero-width characters) and
    /// the explicit bidi controls by code point, whatever the Unicode tables say.
    static func isControlOrBidi(_ scalar: Unicode.Scalar) -> Bool {
        if self.isControl(scalar) || scalar.properties.generalCategory == .format { return true }
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}

extension FuzzChecks {
    public typealias Check = @Sendable ([UInt8]) throws(FuzzFailure) -> Void

    /// Every fuzz target by name (the executable in `Tests/Fuzz` and its folders of corpus and
    /// fail cases), with its check.
    public static let targets: [(name: String, check: Check)] = [
        ("FuzzWebhook", FuzzChecks.webhook),
        ("FuzzAmount", FuzzChecks.amount),
        ("FuzzSignature", FuzzChecks.signature),
        ("FuzzAdmin", FuzzChecks.admin),
    ]

    public static func check(named name: String) -> Check? {
        self.targets.first { $0.name == name }?.check
    }
}
