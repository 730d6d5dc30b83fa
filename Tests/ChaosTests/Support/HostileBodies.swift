import Foundation
import PropertyBased

/// Generated webhook bodies for the bad-input properties.
enum HostileBodies {
    /// One way a body breaks the contract. Each is a 400 or a 422.
    enum Violation: CaseIterable {
        case amountValue, amountMissing, hashValue, hashMissing, confirmationsValue, logIndexValue, statusValue
        case notAnObject, duplicateKey, trailingGarbage, truncated, invalidUTF8, deepNesting, badSyntax
        /// A string no store should hold (a control character) in `user_id` or anywhere in `metadata`.
        case unstorableText
    }

    /// A webhook body with exactly one violation, among random valid-looking fields and metadata.
    static let invalidWebhook = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        let violation = Violation.allCases.randomElement(using: &rng)!
        return HostileBodies.body(violating: violation, using: &rng)
    }

    /// A valid webhook body (a unique tx_hash each time, so most are new deposits).
    static let validWebhook = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        Array(HostileBodies.object(HostileBodies.validFields(using: &rng) + HostileBodies.extraFields(using: &rng)).utf8)
    }

    /// A valid body with one to three random byte edits (flip, insert, delete, cut).
    static let mutatedWebhook = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        var bytes = Array(HostileBodies.object(HostileBodies.validFields(using: &rng)).utf8)
        for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[position] ^= UInt8.random(in: 1...255, using: &rng)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: position)
            case 2: bytes.remove(at: position)
            default: bytes.removeSubrange(position...)
            }
        }
        return bytes
    }

    static func body(violating violation: Violation, using rng: inout some RandomNumberGenerator) -> [UInt8] {
        var fields = self.validFields(using: &rng)
        func replace(_ key: String, with value: String?) {
            fields.removeAll { $0.key == key }
            if let value { fields.append((key, value)) }
        }
        switch violation {
        case .amountValue: replace("amount", with: self.badAmounts.randomElement(using: &rng)!)
        case .amountMissing: replace("amount", with: nil)
        case .hashValue: replace("tx_hash", with: self.badHashes.randomElement(using: &rng)!)
        case .hashMissing: replace("tx_hash", with: nil)
        case .confirmationsValue: replace("confirmations", with: self.badCounts.randomElement(using: &rng)!)
        case .logIndexValue: replace("log_index", with: self.badCounts.randomElement(using: &rng)!)
        case .statusValue: replace("status", with: [#""weird""#, "1", "true", #""""#, "[]"].randomElement(using: &rng)!)
        case .notAnObject:
            return Array(["[]", "[1,2]", #""tx""#, "42", "null", "true", "", " ", "\n"].randomElement(using: &rng)!.utf8)
        case .duplicateKey:
            let amount = fields.first { $0.key == "amount" }!
            fields.insert(amount, at: Int.random(in: 0...fields.count, using: &rng))
        case .trailingGarbage:
            let tail = [" x", "}", "{}", ",", "]", " 1", "\u{0}"].randomElement(using: &rng)!
            return Array((self.object(fields + self.extraFields(using: &rng)) + tail).utf8)
        case .truncated:
            let whole = Array(self.object(fields + self.extraFields(using: &rng)).utf8)
            return Array(whole[..<Int.random(in: 0..<whole.count, using: &rng)])
        case .invalidUTF8:
            let bad: [[UInt8]] = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80]]
            let raw = Array(self.object(fields + [("metadata", #"{"note":"@"}"#)]).utf8)
            let marker = raw.firstIndex(of: UInt8(ascii: "@"))!
            return Array(raw[..<marker]) + bad.randomElement(using: &rng)! + Array(raw[(marker + 1)...])
        case .deepNesting:
            // Up to 9,000 levels: deep, yet under MAX_BODY_BYTES (a 413 is another test).
            let depth = Int.random(in: 65...9_000, using: &rng)
            let (open, close) = Bool.random(using: &rng) ? ("[", "]") : (#"{"a":"#, "}")
            replace("metadata", with: #"{"deep":"# + String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth) + "}")
        case .unstorableText:
            if Bool.random(using: &rng) {
                replace("user_id", with: [#""a\u0000b""#, #""tab\there""#, #""bidi\u202Eflip""#, #""\u0085""#].randomElement(using: &rng)!)
            } else {
                replace("metadata", with: [
                    #"{"note":"tab\tnew\nline"}"#, #"{"user_id":"a\u0000b"}"#, #"{"k\u0000":1}"#, #"{"a":[1,{"b":"\u001f"}]}"#,
                ].randomElement(using: &rng)!)
            }
        case .badSyntax:
            let broken = [#"{'tx_hash':'a','amount':'1'}"#, #"{"tx_hash":"a","amount":"1",}"#, #"{"tx_hash":"a" "amount":"1"}"#,
                          #"{"tx_hash":"a","amount":NaN}"#, #"{"tx_hash":"a","amount":"1"} // note"#, #"{tx_hash:"a",amount:"1"}"#,
                          #"{"tx_hash":"a\x","amount":"1"}"#, #"{"tx_hash":"a","amount":01}"#, #"{"tx_hash":"\ud800","amount":"1"}"#]
            return Array(broken.randomElement(using: &rng)!.utf8)
        }
        return Array(self.object(fields.shuffled(using: &rng) + self.extraFields(using: &rng)).utf8)
    }

    static let badAmounts = [
        #""abc""#, #""-1""#, #""0""#, #""0.0""#, "-5", "0", #""1.0000000000000000001""#, #""""#, #"" 1""#, #""1 ""#,
        #""NaN""#, #""Infinity""#, "true", "null", "[]", "{}", "1e400", "-1e-400", #""1,5""#, #""0x10""#, #""١""#,
        #""--1""#, #""1..2""#, "1" + String(repeating: "0", count: 60), #""1"# + String(repeating: "0", count: 60) + #"""#,
        "0.0000000000000000001", "1" + String(repeating: "0", count: 10_010) + "e-10030", "1e99999999999999999999",
    ]

    static let badHashes = [
        #""""#, #""a b""#, #"""# + String(repeating: "x", count: 129) + #"""#, #""\u0001""#, "5", "null", #""tab\there""#,
        #""é""#, "[]", "{}", "true",
    ]

    static let badCounts = [
        "-1", "-0.5", "1.5", #""x""#, "true", "[]", "{}", "99999999999999999999999", "18446744073709551616", "1e400",
    ]

    /// tx_hash, amount, confirmations and the optional fields, all valid.
    static func validFields(using rng: inout some RandomNumberGenerator) -> [(key: String, value: String)] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.")
        let hash = "bad-" + String((0..<Int.random(in: 8...60, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        let amount = "\(Int.random(in: 1...99_999, using: &rng)).\(Int.random(in: 0...999_999, using: &rng))"
        var fields: [(key: String, value: String)] = [
            ("tx_hash", #""\#(hash)""#),
            ("amount", Bool.random(using: &rng) ? #""\#(amount)""# : amount),
            ("confirmations", "\(Int.random(in: 0...40, using: &rng))"),
            ("log_index", "\(Int.random(in: 0...5, using: &rng))"),
            ("status", [#""confirmed""#, #""pending""#].randomElement(using: &rng)!),
        ]
        if Bool.random(using: &rng) { fields.append(("chain", #""bep20""#)) }
        if Bool.random(using: &rng) { fields.append(("currency", #""USDT""#)) }
        if Bool.random(using: &rng) { fields.append(("user_id", #""\#(UUID().uuidString.lowercased())""#)) }
        if Bool.random(using: &rng) { fields.append(("metadata", self.jsonValue(depth: 3, object: true, using: &rng))) }
        return fields
    }

    /// Unknown fields with random JSON values.
    static func extraFields(using rng: inout some RandomNumberGenerator) -> [(key: String, value: String)] {
        (0..<Int.random(in: 0...3, using: &rng)).map { index in ("x_extra_\(index)", self.jsonValue(depth: 3, object: false, using: &rng)) }
    }

    /// A random JSON value at most `depth` deep (an object when `object`).
    static func jsonValue(depth: Int, object: Bool, using rng: inout some RandomNumberGenerator) -> String {
        let kind = object ? 5 : Int.random(in: 0...(depth > 0 ? 5 : 3), using: &rng)
        switch kind {
        case 0: return ["null", "true", "false"].randomElement(using: &rng)!
        case 1: return ["0", "-1", "3.25", "1e10", "-2.5E-3", "123456789012345678901234567890", "1e400"].randomElement(using: &rng)!
        case 2: return [#""""#, #""plain""#, #""with \"quotes\" and \\ slash""#, #""\u00e9\u4e2d\ud83d\ude00""#, #""thin\u2009space\u00a0nbsp""#, #""émoji 🙂""#]
            .randomElement(using: &rng)!
        case 3: return #""\#(UUID().uuidString)""#
        case 4:
            return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in self.jsonValue(depth: depth - 1, object: false, using: &rng) }
                .joined(separator: ",") + "]"
        default:
            let members = (0..<Int.random(in: 0...3, using: &rng)).map { index in
                #""k\#(index)":"# + self.jsonValue(depth: depth - 1, object: false, using: &rng)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    static func object(_ fields: [(key: String, value: String)]) -> String {
        "{" + fields.map { #""\#($0.key)":\#($0.value)"# }.joined(separator: ",") + "}"
    }
}
