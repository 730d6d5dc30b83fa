extension DepositRecord {
    /// Largest accepted `confirmations` and `log_index`.
    static let maximumCounter: Int64 = Int64(Int32.max)

    /// Parses and validates a webhook body (the fields and rules of docs/API.md).
    ///
    /// - Throws: ``ServiceError/Code/malformedRequest`` (HTTP 400) for a body that is not a
    ///   JSON object or lacks `tx_hash` or `amount`; ``ServiceError/Code/invalidField``
    ///   (HTTP 422) for a field of the wrong type or value. Messages name the field.
    public init(webhookBody body: [UInt8]) throws(ServiceError) {
        let document: JSONValue
        do {
            document = try JSONReader.parse(body)
        } catch {
            throw .malformed("body is not valid JSON: \(error.reason)")
        }
        guard case .object(let object) = document else {
            throw .malformed("body must be a JSON object, got \(document.typeName)")
        }

        guard let txHashValue = object["tx_hash"], txHashValue != .null else {
            throw .malformed("missing required field: tx_hash")
        }
        guard let amountValue = object["amount"], amountValue != .null else {
            throw .malformed("missing required field: amount")
        }

        // A hex transaction hash is one transfer however it is spelled; opaque references stay as sent.
        let txHash = TransferIdentity.canonicalTxHash(try Self.printableText(txHashValue, field: "tx_hash", maximumLength: 128))
        let amount = try Self.amount(amountValue)

        var metadata: String?
        var metadataUser: String?
        if let member = object.members.first(where: { $0.key == "metadata" }), member.value != .null {
            guard case .object(let metadataObject) = member.value else {
                throw .invalid("metadata must be an object, got \(member.value.typeName)")
            }
            // Stored as sent, so every string in it (keys too) must be one a store can hold.
            if let path = Self.controlCharacterPath(in: member.value) {
                throw .invalid("metadata\(path) must not contain control characters")
            }
            metadata = String(decoding: body[member.sourceRange], as: UTF8.self)
            if case .string(let user) = metadataObject["user_id"] {
                metadataUser = try Self.userReference(user, field: "metadata.user_id")
            }
        }

        var userRef = metadataUser
        if let value = object["user_id"], value != .null {
            guard case .string(let user) = value else {
                throw .invalid("user_id must be a string, got \(value.typeName)")
            }
            userRef = try Self.userReference(user, field: "user_id")
        }

        let statusText = try Self.optionalText(object["status"], field: "status") ?? ChainStatus.confirmed.rawValue
        guard let status = ChainStatus(rawValue: statusText) else {
            throw .invalid("status must be one of confirmed, pending, failed")
        }

        self.init(
            chain: try Self.identifier(object["chain"], field: "chain", default: "bep20", maximumLength: 32).lowercased(),
            txHash: txHash,
            logIndex: try Self.counter(object["log_index"], field: "log_index", maximum: Self.maximumCounter) ?? 0,
            amount: amount,
            currency: try Self.identifier(object["currency"], field: "currency", default: "USDT", maximumLength: 16).uppercased(),
            confirmations: try Self.counter(object["confirmations"], field: "confirmations", maximum: Self.maximumCounter) ?? 0,
            chainStatus: status,
            toAddress: try Self.optionalText(object["to_address"], field: "to_address").map { text throws(ServiceError) in
                try Self.printableText(.string(text), field: "to_address", maximumLength: 128)
            },
            blockNumber: try Self.counter(object["block_number"], field: "block_number", maximum: Int64.max),
            userRef: userRef,
            metadata: metadata
        )
    }

    private static func amount(_ value: JSONValue) throws(ServiceError) -> Amount {
        let parsed: Amount
        do {
            switch value {
            case .string(let text): parsed = try Amount(parsing: text)
            case .number(let literal): parsed = try Amount(jsonNumber: literal)
            default: throw ServiceError.invalid("amount must be a decimal string or a number, got \(value.typeName)")
            }
        } catch let error as Amount.ParseError {
            throw .invalid("amount \(error)")
        } catch let error as ServiceError {
            throw error
        } catch {
            throw .invalid("amount must be a decimal number")
        }
        guard parsed.isPositive else { throw .invalid("amount must be greater than 0") }
        return parsed
    }

    /// Longest user reference, in UTF-8 bytes.
    static let maximumUserReferenceBytes = 128

    /// A user reference: 1…128 bytes, no control or invisible formatting characters (a NUL
    /// cannot be stored; bidi overrides make one id look like another). A UUID is kept in
    /// its canonical lower-case form, so spellings of one user compare equal.
    private static func userReference(_ text: String, field: String) throws(ServiceError) -> String {
        guard !text.isEmpty, text.utf8.count <= Self.maximumUserReferenceBytes else {
            throw .invalid("\(field) must be 1 to \(Self.maximumUserReferenceBytes) bytes")
        }
        guard !text.unicodeScalars.contains(where: { Self.isControl($0) || $0.properties.generalCategory == .format }) else {
            throw .invalid("\(field) must not contain control or formatting characters")
        }
        return TransferIdentity.canonicalUserRef(text)
    }

    /// Unicode control characters (C0, DEL and C1): no store column should hold them.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Where in `value` a key or string holds a control character (`.a.b[2]`), or nil.
    /// Visits each value once: linear in the document.
    private static func controlCharacterPath(in value: JSONValue) -> String? {
        func hasControl(_ text: String) -> Bool { text.unicodeScalars.contains(where: Self.isControl) }
        switch value {
        case .string(let text):
            return hasControl(text) ? "" : nil
        case .object(let object):
            for member in object.members {
                if hasControl(member.key) { return "." + Self.printablePathComponent(member.key) }
                if let rest = controlCharacterPath(in: member.value) { return "." + Self.printablePathComponent(member.key) + rest }
            }
            return nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let rest = controlCharacterPath(in: element) { return "[\(index)]" + rest }
            }
            return nil
        case .number, .bool, .null:
            return nil
        }
    }

    /// A key as it may appear in an error message: control characters escaped, at most 64 scalars.
    private static func printablePathComponent(_ key: String) -> String {
        var out = ""
        for (offset, scalar) in key.unicodeScalars.enumerated() {
            if offset == 64 { out += "…"; break }
            if Self.isControl(scalar) || scalar.properties.generalCategory == .format {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// 1…`maximumLength` printable ASCII characters, no spaces.
    private static func printableText(_ value: JSONValue, field: String, maximumLength: Int) throws(ServiceError) -> String {
        guard case .string(let text) = value else {
            throw .invalid("\(field) must be a string, got \(value.typeName)")
        }
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maximumLength, utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalid("\(field) must be 1 to \(maximumLength) printable characters without spaces")
        }
        return text
    }

    /// Letters, digits, `-` and `_`, or the default when absent.
    private static func identifier(_ value: JSONValue?, field: String, default fallback: String, maximumLength: Int) throws(ServiceError) -> String {
        guard let text = try optionalText(value, field: field) else { return fallback }
        let valid = !text.isEmpty && text.utf8.count <= maximumLength && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard valid else {
            throw .invalid("\(field) must be 1 to \(maximumLength) letters, digits, '-' or '_'")
        }
        return text
    }

    private static func optionalText(_ value: JSONValue?, field: String) throws(ServiceError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw .invalid("\(field) must be a string, got \(other.typeName)")
        }
    }

    /// A non-negative whole JSON number (`12`, `12.0`, `1.2e1`) up to `maximum`, or nil when absent.
    private static func counter(_ value: JSONValue?, field: String, maximum: Int64) throws(ServiceError) -> Int64? {
        switch value {
        case nil, .null?:
            return nil
        case .number(let literal)?:
            guard let number = JSONInteger.value(literal), number >= 0, number <= maximum else {
                throw .invalid("\(field) must be an integer from 0 to \(maximum)")
            }
            return number
        case let other?:
            throw .invalid("\(field) must be an integer, got \(other.typeName)")
        }
    }
}
