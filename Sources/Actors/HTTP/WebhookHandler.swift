import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /api/v1/webhooks/bep20`: check, parse, commit, answer.
///
/// Runs concurrently in each connection's task; the only shared waits are the group
/// commit (one transaction for many requests) and the metrics hand-off (no wait at all).
struct WebhookHandler: Sendable {
    struct Configuration: Sendable {
        var maximumBodyBytes: Int
        /// Longest a webhook waits for its commit, on the ingest's clock.
        var ingestTimeout: Duration
        var verifier: SignatureVerifier?
    }

    static let signatureHeaders: [HTTPField.Name] = ["X-Signature", "X-Hub-Signature-256", "X-Webhook-Signature"].map { HTTPField.Name($0)! }
    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!

    let configuration: Configuration
    let ingest: any WebhookIngest
    let metrics: ServiceMetrics
    let clock: WallClock

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        defer { self.metrics.recorder.observe(self.metrics.webhookProcessing, started.duration(to: .now)) }
        do {
            let record = try await self.record(from: request)
            // The ingest keeps the deadline (the committer's expiry loop): no timer per request.
            let result = try await self.ingest.submit(record, timeout: self.configuration.ingestTimeout)
            switch result.outcome {
            case .accepted(let created, let queued):
                self.metrics.recordWebhook(created ? "created" : "repeat")
                if created || queued {
                    context.logger.info("deposit_enqueued", metadata: [
                        "tx_id": "\(result.txID.apiString)", "tx_hash": "\(record.txHash)", "queued": "\(queued)", "created": "\(created)",
                    ])
                }
                return JSONBody.response(.accepted, #"{"ok":true,"tx_id":""# + result.txID.apiString + #""}"#)
            case .conflict(let reason):
                self.metrics.recordWebhook("conflict")
                context.logger.warning("webhook_conflict", metadata: [
                    "security_event": "true", "tx_id": "\(result.txID.apiString)", "tx_hash": "\(record.txHash)",
                    "chain": "\(record.chain)", "log_index": "\(record.logIndex)", "reason": "\(reason)",
                ])
                return JSONBody.error(.conflict, "tx_hash \(reason); the recorded transfer is unchanged")
            }
        } catch let error as ServiceError where error.code == .unavailable {
            self.metrics.recordWebhook("unavailable")
            if error.underlying is GroupCommitter.QueueFull {
                self.metrics.recorder.increment(self.metrics.ingestRejectedQueueFull)
            } else {
                self.metrics.recorder.increment(self.metrics.enqueueFailed)
            }
            return JSONBody.error(.serviceUnavailable, "\(error.message); retry later", headers: [.retryAfter: "1"])
        } catch let error as ServiceError {
            self.metrics.recordWebhook("rejected")
            if error.code == .unauthorized {
                context.logger.warning("webhook_unauthorized", metadata: ["security_event": "true", "reason": "\(error.message)"])
            }
            // Every 503 tells the sender when to retry, whatever store error caused it.
            let status = error.code.httpStatus
            return JSONBody.error(status, error.message, headers: status == .serviceUnavailable ? [.retryAfter: "1"] : [:])
        }
    }

    /// Checks the envelope (type, size, signature) and parses the body.
    private func record(from request: Request) async throws(ServiceError) -> DepositRecord {
        guard let contentType = request.headers[.contentType], Self.isJSON(contentType) else {
            throw ServiceError(.unsupportedMediaType, "Content-Type must be application/json")
        }
        let limit = self.configuration.maximumBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw ServiceError(.payloadTooLarge, "body exceeds \(limit) bytes")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ServiceError(.payloadTooLarge, "body exceeds \(limit) bytes")
        } catch {
            throw ServiceError.malformed("the body could not be read")
        }
        let body = Array(buffer.readableBytesView)
        if let verifier = self.configuration.verifier {
            let signature = Self.signatureHeaders.lazy.compactMap { request.headers[$0] }.first
            let headers = SignatureVerifier.Headers(
                signature: signature,
                webhookID: request.headers[Self.webhookID],
                webhookTimestamp: request.headers[Self.webhookTimestamp],
                webhookSignature: request.headers[Self.webhookSignature]
            )
            try verifier.verify(body: body, headers: headers, now: Int64(self.clock.now().timeIntervalSince1970))
        }
        return try DepositRecord(webhookBody: body)
    }

    /// `application/json`, any `+json` type, with or without parameters.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
