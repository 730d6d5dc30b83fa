/// Where the webhook route hands a parsed deposit to be stored.
///
/// In the service this is the ingress run's ``GroupCommitter``; router tests put a scripted
/// fake here, so every answer of the route can be checked without a database.
public protocol WebhookIngest: Sendable {
    /// Stores `record` durably and returns its tx_id and outcome, or gives up once `timeout`
    /// has passed on the ingest's own clock.
    ///
    /// Throws a ``ServiceError`` with code ``ServiceError/Code/unavailable`` when the record
    /// cannot be stored now (its underlying error is ``GroupCommitter/QueueFull`` when too many
    /// webhooks are waiting), and ``GroupCommitter/commitTimedOut(after:)`` once `timeout` has
    /// passed (the record may still be stored: a retry then gets the same tx_id). Must end
    /// promptly, throwing, when its task is cancelled.
    func submit(_ record: DepositRecord, timeout: Duration) async throws -> IngestResult
}
