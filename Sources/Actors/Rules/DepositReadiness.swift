/// When a deposit's chain data lets a worker settle it (docs/API.md "Deposit lifecycle"):
/// a transfer the chain reported failed is ready at once (it settles as `failed`, nothing
/// credited), a confirmed one once it has `threshold` confirmations, a pending one never.
///
/// The same rule decides a first sighting (in Swift, per record) and a repeat of a pending
/// deposit (rendered into the ingest upsert by ``sql(status:confirmations:threshold:)``).
enum DepositReadiness {
    /// What a chain status needs before the deposit is ready.
    enum Requirement: Sendable, Hashable {
        /// Ready whatever the confirmations.
        case always
        /// Ready at `threshold` confirmations.
        case confirmations
        /// Not ready: the chain has not decided.
        case never
    }

    /// The one table of the rule.
    static func requirement(for status: ChainStatus) -> Requirement {
        switch status {
        case .failed: .always
        case .confirmed: .confirmations
        case .pending: .never
        }
    }

    static func isReady(status: ChainStatus, confirmations: Int64, threshold: Int64) -> Bool {
        switch Self.requirement(for: status) {
        case .always: true
        case .confirmations: confirmations >= threshold
        case .never: false
        }
    }

    /// Whether a sighting with this status tells more than the stored one: a `pending`
    /// report never replaces what the chain already decided.
    static func carriesNews(_ status: ChainStatus) -> Bool {
        Self.requirement(for: status) != .never
    }

    /// ``isReady(status:confirmations:threshold:)`` as a SQL condition over the given
    /// expressions (a chain_status text, a confirmations integer, the threshold).
    static func sql(status: String, confirmations: String, threshold: String) -> String {
        var terms: [String] = []
        let always = ChainStatus.allCases.filter { Self.requirement(for: $0) == .always }
        let counted = ChainStatus.allCases.filter { Self.requirement(for: $0) == .confirmations }
        if !always.isEmpty {
            terms.append("\(status) IN \(SQLDialect.list(always.map(\.rawValue)))")
        }
        if !counted.isEmpty {
            terms.append("(\(status) IN \(SQLDialect.list(counted.map(\.rawValue))) AND \(confirmations) >= \(threshold))")
        }
        return terms.isEmpty ? "(1 = 0)" : "(" + terms.joined(separator: " OR ") + ")"
    }

    /// The statuses for which ``carriesNews(_:)`` holds, as a SQL `IN` list.
    static var newsStatusesSQL: String {
        SQLDialect.list(ChainStatus.allCases.filter(Self.carriesNews).map(\.rawValue))
    }
}
