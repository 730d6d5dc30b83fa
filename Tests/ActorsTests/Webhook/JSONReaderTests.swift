import Actors
import Foundation
import PropertyBased
import Synchronization
import Testing

@Suite struct JSONReaderTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONReader.parse(Array(text.utf8))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try self.parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"}} "#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        guard case .object(let inner)? = object["b"] else { Issue.record("b is not an object"); return }
        #expect(inner["c"] == .string("d\né😀"))
    }

    @Test func keepsNumbersAsWritten() throws {
        #expect(try self.parse("123456789012345678901234567890.123456789012345678901") == .number("123456789012345678901234567890.123456789012345678901"))
        #expect(try self.parse("0.10") == .number("0.10"))
    }

    @Test func recordsWhereEachMemberValueLies() throws {
        let text = #"{"metadata": {"user_id": "x", "n": [1, 2]}, "k": 1}"#
        guard case .object(let object) = try self.parse(text) else { Issue.record("not an object"); return }
        let range = try #require(object.members.first?.sourceRange)
        #expect(String(decoding: Array(text.utf8)[range], as: UTF8.self) == #"{"user_id": "x", "n": [1, 2]}"#)
    }

    @Test(arguments: [
        "", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'x'", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
        "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"a\u{01}b\"", "{\"a\":1} x", "[1 2]", "NaN", "\"unterminated",
        "{\"a\":1,\"a\":2}",
    ])
    func refusesInvalidDocuments(text: String) {
        #expect(throws: JSONReader.SyntaxError.self) { try self.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.parse(bytes) }
        }
    }

    @Test func refusesDeepNestingWithoutExhaustingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONReader.SyntaxError.self) { try self.parse(deep) }
        let allowed = String(repeating: "[", count: JSONReader.maximumDepth) + String(repeating: "]", count: JSONReader.maximumDepth)
        #expect(throws: Never.self) { try self.parse(allowed) }
    }

    @Test func agreesWithFoundationOnValidStrings() async {
        await propertyCheck(count: 500, input: Gen.unicodeScalar(in: "\u{0}"..."\u{2FFF}").map { Character($0) }.string(of: 0...40)) { text in
            let encoded = try JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
            let value = try JSONReader.parse(Array(encoded))
            #expect(value == .array([.string(text)]))
        }
    }

    @Test func acceptsOnlyWhatFoundationAlsoAccepts() async {
        // Documents built from JSON's own characters, so a fair share of them parse.
        // No exponents: Foundation refuses numbers beyond a Double's range, which JSON allows.
        let alphabet = Array(#"{}[]":,0123456789.-+tfnul "\ab"#)
        let documents = Gen.element(of: alphabet).compactMap { $0 }.array(of: 0...24).map { String($0) }
        let accepted = Counter()
        await propertyCheck(count: 3000, input: documents) { text in
            guard (try? JSONReader.parse(Array(text.utf8))) != nil else { return }
            accepted.increment()
            // Stricter than Foundation (no duplicate keys), never looser.
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil, "accepted \(text)")
        }
        #expect(accepted.value > 0)
    }

    @Test func neverCrashesOnRandomBytes() async {
        await propertyCheck(count: 2000, input: Gen.uint8(in: 0...255).array(of: 0...64)) { bytes in
            let hasExponent = bytes.contains(UInt8(ascii: "e")) || bytes.contains(UInt8(ascii: "E"))
            if !hasExponent, case .success(let value) = Result(catching: { try JSONReader.parse(bytes) }) {
                // Whatever parses is valid UTF-8 JSON by Foundation's reading too.
                #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil, "\(value)")
            }
        }
    }
}

/// A thread-safe tally for closures that run concurrently.
final class Counter: Sendable {
    private let count = Mutex(0)

    func increment() { self.count.withLock { $0 += 1 } }

    var value: Int { self.count.withLock { $0 } }
}
