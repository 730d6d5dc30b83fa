import Actors
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `echo-server`: the no-database ceiling of this machine.
///
/// Serves `POST /api/v1/webhooks/bep20` on the same HTTP stack as the service (Hummingbird 2),
/// decodes and validates the body with the service's own `DepositRecord(webhookBody:)`, and
/// answers `202 {"ok":true,"tx_id":"<uuid>"}` without storing anything. Whatever the service
/// does beyond this costs the difference between the two.
@main
struct EchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Answers webhooks with 202 after decoding them, without any store: the no-database baseline."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8001

    @Option(name: .customLong("max-body-bytes"), help: "Largest body accepted, as MAX_BODY_BYTES in the service.")
    var maximumBodyBytes = 65_536

    func run() async throws {
        var logger = Logger(label: "echo-server")
        logger.logLevel = .warning
        let limit = self.maximumBodyBytes
        let router = Router()
        router.post("/api/v1/webhooks/bep20") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: limit)
            do throws(ServiceError) {
                _ = try DepositRecord(webhookBody: Array(buffer.readableBytesView))
            } catch {
                let status: HTTPResponse.Status = error.code == .malformedRequest ? .badRequest : .unprocessableContent
                return Self.json(status, #"{"ok":false,"error":"invalid webhook"}"#)
            }
            return Self.json(.accepted, #"{"ok":true,"tx_id":""# + UUID().uuidString.lowercased() + #""}"#)
        }
        router.get("/healthz") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        // The k6 script (ops/load/k6/webhook_test.js) checks readiness before its load.
        router.get("/readyz") { _, _ in Self.json(.ok, #"{"status":"ready"}"#) }
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(self.host, port: self.port), serverName: "echo-server"),
            logger: logger
        )
        try await application.runService()
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
