import Actors

extension FuzzChecks {
    /// FuzzAmount: `Amount(parsing:)` and `Amount(jsonNumber:)` against ``ReferenceDecimal``.
    ///
    /// The input, with runs expanded (``FuzzInput/expandingRuns(_:)``), is the literal. Both
    /// readings must give the same outcome: the same value (compared as canonical decimal
    /// text) or the same refusal. An accepted amount must also print back to itself.
    public static func amount(_ bytes: [UInt8]) throws(FuzzFailure) {
        let text = String(decoding: FuzzInput.expandingRuns(bytes), as: UTF8.self)
        try self.agree(
            "Amount(parsing:)", text,
            parsed: Self.outcome { () throws(Amount.ParseError) in try Amount(parsing: text) },
            reference: ReferenceDecimal.plain(text)
        )
        try self.agree(
            "Amount(jsonNumber:)", text,
            parsed: Self.outcome { () throws(Amount.ParseError) in try Amount(jsonNumber: text) },
            reference: ReferenceDecimal.jsonNumber(text)
        )
    }

    /// `Amount`'s outcome in the reference's terms; an accepted amount must round-trip.
    static func outcome(_ parse: () throws(Amount.ParseError) -> Amount) -> Result<Amount, Amount.ParseError> {
        do {
            return .success(try parse())
        } catch {
            return .failure(error)
        }
    }

    static func agree(_ reader: String, _ text: String, parsed: Result<Amount, Amount.ParseError>, reference: ReferenceDecimal.Outcome) throws(FuzzFailure) {
        let seen: ReferenceDecimal.Outcome
        switch parsed {
        case .success(let amount):
            seen = .value(amount.description)
            let reparsed = try? Amount(parsing: amount.description)
            try FuzzFailure.require(reparsed == amount, "\(reader) \(excerpt(text)): \(amount) does not parse back to itself")
        case .failure(.notANumber): seen = .refused(.notANumber)
        case .failure(.tooManyDecimals): seen = .refused(.tooManyDecimals)
        case .failure(.outOfRange): seen = .refused(.outOfRange)
        }
        try FuzzFailure.require(seen == reference, "\(reader) \(excerpt(text)): \(seen), the exact reading is \(reference)")
    }
}
