import Actors

extension FuzzChecks {
    /// FuzzWebhook: `JSONReader.parse` and `DepositRecord(webhookBody:)` on the raw body.
    ///
    /// - A parsed document's member ranges hold exactly their values (metadata is stored as
    ///   that text), and a syntax error's offset lies inside the body.
    /// - A refusal is 400 (malformed) or 422 (invalid field); a body that is not JSON is 400.
    /// - An accepted record: amount positive, at most `Amount.maximum`, and the exact value of
    ///   the literal sent (``ReferenceDecimal``); no control characters in any stored string;
    ///   a non-empty `tx_hash` in its canonical form; a user reference without control or
    ///   format characters, UUIDs in lower case; counters not negative; the same record twice.
    public static func webhook(_ bytes: [UInt8]) throws(FuzzFailure) {
        var document: JSONValue?
        do {
            document = try JSONReader.parse(bytes)
        } catch {
            try FuzzFailure.require((0...bytes.count).contains(error.offset), "syntax error offset \(error.offset) outside a body of \(bytes.count) bytes")
        }
        if let document { try self.checkSourceRanges(document, in: bytes) }

        let record: DepositRecord
        do {
            record = try DepositRecord(webhookBody: bytes)
        } catch {
            try FuzzFailure.require(error.code == .malformedRequest || error.code == .invalidField, "webhook refused with \(error.code), not 400/422")
            try FuzzFailure.require(document != nil || error.code == .malformedRequest, "a body that is not JSON was refused as \(error.code)")
            if case .object(let object)? = document, error.code == .invalidField, error.message.hasPrefix("amount "),
               let amountValue = object["amount"], case .value(let text) = self.referenceAmount(amountValue) {
                try FuzzFailure.require(text.hasPrefix("-") || text == "0", "amount \(excerpt(text)) refused: \(error.message)")
            }
            return
        }
        guard case .object(let object)? = document else {
            throw FuzzFailure("accepted a webhook body that is not a JSON object")
        }
        try self.checkAccepted(record, object: object)
        let again = try? DepositRecord(webhookBody: bytes)
        try FuzzFailure.require(again == record, "the same body gave two different records")
    }

    private static func referenceAmount(_ value: JSONValue) -> ReferenceDecimal.Outcome? {
        switch value {
        case .string(let text): ReferenceDecimal.plain(text)
        case .number(let literal): ReferenceDecimal.jsonNumber(literal)
        default: nil
        }
    }

    private static func checkAccepted(_ record: DepositRecord, object: JSONObject) throws(FuzzFailure) {
        try FuzzFailure.require(record.amount.isPositive, "accepted amount \(record.amount) is not positive")
        try FuzzFailure.require(record.amount <= Amount.maximum, "accepted amount \(record.amount) is above the maximum")
        let expected = object["amount"].flatMap(self.referenceAmount)
        try FuzzFailure.require(
            expected == .value(record.amount.description),
            "amount stored as \(record.amount), the exact reading of what was sent is \(expected.map(String.init(describing:)) ?? "no amount")"
        )

        let texts: [(String, String?)] = [
            ("chain", record.chain), ("tx_hash", record.txHash), ("currency", record.currency),
            ("to_address", record.toAddress), ("user_id", record.userRef),
        ]
        for case let (field, text?) in texts {
            try FuzzFailure.require(!text.unicodeScalars.contains(where: self.isControl), "accepted \(field) \(excerpt(text)) holds a control character")
        }
        try FuzzFailure.require(!record.txHash.isEmpty, "accepted an empty tx_hash")
        if case .string(let sent)? = object["tx_hash"] {
            let expectedHash = self.canonicalHash(sent)
            try FuzzFailure.require(record.txHash == expectedHash, "tx_hash \(excerpt(sent)) stored as \(excerpt(record.txHash)), canonical is \(excerpt(expectedHash))")
        }
        if let user = record.userRef {
            try FuzzFailure.require(!user.unicodeScalars.contains(where: self.isControlOrBidi), "accepted user \(excerpt(user)) holds a control or format character")
            if self.isUUIDText(user) {
                try FuzzFailure.require(user == user.lowercased(), "UUID user \(user) is not in canonical lower case")
            }
        }
        try FuzzFailure.require(record.logIndex >= 0 && record.confirmations >= 0 && (record.blockNumber ?? 0) >= 0, "accepted a negative counter")
        if let metadata = record.metadata {
            try self.checkMetadata(metadata, sent: object.members.first { $0.key == "metadata" }?.value)
        }
    }

    /// Stored metadata: the object as sent, no control characters but JSON's own whitespace
    /// between tokens, and none in any key or string inside.
    private static func checkMetadata(_ metadata: String, sent: JSONValue?) throws(FuzzFailure) {
        let whitespace: Set<UInt32> = [0x09, 0x0A, 0x0D]
        try FuzzFailure.require(
            !metadata.unicodeScalars.contains { self.isControl($0) && !whitespace.contains($0.value) },
            "stored metadata \(excerpt(metadata)) holds a control character"
        )
        let reparsed = try? JSONReader.parse(Array(metadata.utf8))
        guard case .object? = reparsed, let sent, self.sameValue(reparsed!, sent) else {
            throw FuzzFailure("stored metadata \(excerpt(metadata)) is not the object sent")
        }
        if let text = self.firstString(in: reparsed!, where: { $0.unicodeScalars.contains(where: self.isControl) }) {
            throw FuzzFailure("stored metadata holds the string \(excerpt(text)) with a control character")
        }
    }

    private static func firstString(in value: JSONValue, where predicate: (String) -> Bool) -> String? {
        switch value {
        case .string(let text): return predicate(text) ? text : nil
        case .array(let elements):
            for element in elements { if let found = firstString(in: element, where: predicate) { return found } }
            return nil
        case .object(let object):
            for member in object.members {
                if predicate(member.key) { return member.key }
                if let found = firstString(in: member.value, where: predicate) { return found }
            }
            return nil
        case .number, .bool, .null:
            return nil
        }
    }

    /// A 64-digit hex hash with or without `0x`/`0X`, in any case, is `0x` + lower case;
    /// anything else stays as sent.
    private static func canonicalHash(_ sent: String) -> String {
        var digits = Array(sent.utf8)
        if digits.count == 66, digits[0] == UInt8(ascii: "0"), digits[1] | 0x20 == UInt8(ascii: "x") {
            digits.removeFirst(2)
        }
        let isHex = digits.count == 64 && digits.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
        }
        guard isHex else { return sent }
        return "0x" + String(decoding: digits.map { $0 >= UInt8(ascii: "A") ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// `8-4-4-4-12` hex digits, in any case.
    static func isUUIDText(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        return bytes.indices.allSatisfy { index in
            [8, 13, 18, 23].contains(index)
                ? bytes[index] == UInt8(ascii: "-")
                : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(bytes[index] | 0x20)
        }
    }

    /// Equal as JSON values: the same members in the same order, source ranges aside (a
    /// member's range is an offset into the document it was parsed from).
    static func sameValue(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let left), .object(let right)):
            return left.members.count == right.members.count
                && zip(left.members, right.members).allSatisfy { $0.key == $1.key && self.sameValue($0.value, $1.value) }
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { self.sameValue($0, $1) }
        default:
            return lhs == rhs
        }
    }

    /// Each object member's source range, parsed alone, gives back the member's value.
    private static func checkSourceRanges(_ value: JSONValue, in bytes: [UInt8]) throws(FuzzFailure) {
        switch value {
        case .object(let object):
            for member in object.members {
                let range = member.sourceRange
                try FuzzFailure.require(range.lowerBound >= 0 && range.upperBound <= bytes.count, "member range \(range) outside the body")
                let alone = try? JSONReader.parse(Array(bytes[range]))
                try FuzzFailure.require(alone.map { self.sameValue($0, member.value) } ?? false, "member \(excerpt(member.key)): its source range \(range) does not hold its value")
                try self.checkSourceRanges(member.value, in: bytes)
            }
        case .array(let elements):
            for element in elements { try self.checkSourceRanges(element, in: bytes) }
        case .string, .number, .bool, .null:
            break
        }
    }
}
