/// What recording one webhook does, given the stored deposit of the same transfer if any
/// (docs/API.md "Deposit lifecycle").
///
/// - A first sighting is stored `queued` when ``DepositReadiness`` says it is ready (its
///   job is created in the same transaction), else `pending`.
/// - A repeat must agree on the ``Term``s (amount, currency, user); one that does not is a
///   conflict and changes nothing.
/// - An agreeing repeat raises the confirmations to the highest seen. While the deposit is
///   still `pending` its chain status takes any news (a `pending` report is none) and it is
///   judged ready again on the merged values; once past `pending` only the confirmations move.
///
/// ``decide(existing:incoming:threshold:)`` is the rule over values; the stores run the
/// same rule inside their upsert through ``onConflictSQL(threshold:in:)``.
enum IngestRule {
    /// The only state an ingest moves a stored deposit out of.
    static let openState = DepositState.pending

    /// A stored deposit as the rule reads it.
    struct Stored: Sendable, Hashable {
        var state: DepositState
        var chainStatus: ChainStatus
        var confirmations: Int64
        var terms: Terms
    }

    /// What a repeat must agree on.
    struct Terms: Sendable, Hashable {
        var amount: Amount
        var currency: String
        var userRef: String?

        init(amount: Amount, currency: String, userRef: String?) {
            self.amount = amount
            self.currency = currency
            self.userRef = userRef
        }

        init(_ record: DepositRecord) {
            self.init(amount: record.amount, currency: record.currency, userRef: record.userRef)
        }
    }

    /// One field of ``Terms``, in the order a conflict names them.
    enum Term: CaseIterable, Sendable {
        case amount
        case currency
        case user

        /// The `transactions` column holding it.
        var column: String {
            switch self {
            case .amount: "amount"
            case .currency: "currency"
            case .user: "user_ref"
            }
        }

        /// Whether the column may be NULL (then NULL agrees with NULL only).
        var isNullable: Bool { self == .user }

        /// The conflict reason the webhook answers with (409).
        var conflictReason: String {
            switch self {
            case .amount: "amount differs from the recorded transfer"
            case .currency: "currency differs from the recorded transfer"
            case .user: "user_id differs from the recorded transfer"
            }
        }

        func agrees(_ lhs: Terms, _ rhs: Terms) -> Bool {
            switch self {
            case .amount: lhs.amount == rhs.amount
            case .currency: lhs.currency == rhs.currency
            case .user: lhs.userRef == rhs.userRef
            }
        }
    }

    /// The reason when the database refused a repeat that ``conflict(_:_:)`` finds no
    /// difference in (it compares the stored text, not the value).
    static let unexplainedConflict = "differs from the recorded transfer"

    enum Decision: Sendable, Hashable {
        /// A first sighting, stored in `state` (`queued` creates its job).
        case create(state: DepositState)
        /// An agreeing repeat: the stored deposit becomes `merged` (`queued` out of
        /// `pending` creates its job).
        case update(merged: Stored)
        /// A contradicting repeat: nothing changes.
        case conflict(reason: String)
    }

    static func decide(existing: Stored?, incoming: DepositRecord, threshold: Int64) -> Decision {
        guard let existing else { return .create(state: Self.initialState(of: incoming, threshold: threshold)) }
        if let reason = Self.conflict(existing.terms, Terms(incoming)) { return .conflict(reason: reason) }
        var merged = existing
        merged.confirmations = max(existing.confirmations, incoming.confirmations)
        if existing.state == Self.openState {
            if DepositReadiness.carriesNews(incoming.chainStatus) { merged.chainStatus = incoming.chainStatus }
            if DepositReadiness.isReady(status: merged.chainStatus, confirmations: merged.confirmations, threshold: threshold) {
                merged.state = .queued
            }
        }
        return .update(merged: merged)
    }

    /// The state a first sighting is stored in.
    static func initialState(of record: DepositRecord, threshold: Int64) -> DepositState {
        DepositReadiness.isReady(status: record.chainStatus, confirmations: record.confirmations, threshold: threshold)
            ? .queued : Self.openState
    }

    /// Why a repeat contradicts the stored transfer (the first differing ``Term``), nil when it agrees.
    static func conflict(_ stored: Terms, _ incoming: Terms) -> String? {
        for term in Term.allCases where !term.agrees(stored, incoming) {
            return term.conflictReason
        }
        return nil
    }
}
