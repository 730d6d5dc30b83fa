import Foundation

/// One `audit_logs` row a rule asks the store to write with its transition.
struct AuditEntry: Sendable, Hashable {
    /// Who acted: `worker` or `admin`.
    var actor: String
    /// What happened: the state entered (`credited`, `dead`, …) or the admin action.
    var action: String
    var detail: String
}
