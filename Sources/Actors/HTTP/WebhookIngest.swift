/// Where the webhook route hands a parsed deposit to be stored.
///
/// In the service this is the ingress run's ``GroupCommitter``; router tests put a scripted
/// fake here, so every answer of the route can be checked without a database.
public protocol WebhookIngest: Sendable {
    /// Stores `record` durably and returns its tx_id and outcome.
    ///
    /// Throws a ``ServiceError`` with code ``ServiceError/Code/unavailable`` when the record
    /// cannot be stored now (its underlying error is ``GroupCommitter/QueueFull`` when too many
    /// webhooks are waiting). Must end promptly, throwing, when its task is cancelled: the route
    /// cancels it once the ingest timeout has passed.
    func submit(_ record: DepositRecord) async throws -> IngestResult
}
