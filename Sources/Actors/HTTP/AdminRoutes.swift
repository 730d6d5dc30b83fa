import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Runtime

/// Operator routes behind `Authorization: Bearer $ADMIN_TOKEN`. Without a token
/// configured they do not exist (404); with one, a missing or wrong bearer is 401.
struct AdminRoutes: Sendable {
    let token: String?
    let chaosEnabled: Bool
    let store: any DepositStore
    let hooks: AdminHooks
    let logger: Logger

    func register<Context: RemoteAddressRequestContext>(on router: Router<Context>) {
        let admin = router.group().add(middleware: BearerTokenMiddleware<Context>(token: self.token, logger: self.logger))
        admin.get("/api/v1/transactions/:tx_id") { _, context in
            let id = try Self.uuid(context.parameters.get("tx_id"), field: "tx_id")
            guard let status = try await self.store.transaction(id: id) else {
                throw ServiceError(.notFound, "no transaction with this tx_id")
            }
            return try JSONBody.response(.ok, encoding: TransactionBody(status))
        }
        admin.post("/api/v1/admin/users") { request, context in
            let body = try CreateUserRequest(jsonBody: try await Self.jsonBody(request))
            let user = try await self.store.createUser(username: body.username, telegramID: body.telegramID)
            return JSONBody.response(.created, #"{"id":""# + user.id.apiString + #"","username":"# + JSONBody.quoted(user.username) + "}")
        }
        admin.get("/api/v1/admin/users/:id/wallet") { _, context in
            let id = try Self.uuid(context.parameters.get("id"), field: "user id")
            guard let wallet = try await self.store.wallet(userID: id) else { throw ServiceError(.notFound, "no wallet for this user") }
            return try JSONBody.response(.ok, encoding: WalletBody(wallet))
        }
        admin.post("/api/v1/admin/transactions/:tx_id/assign") { request, context in
            let txID = try Self.uuid(context.parameters.get("tx_id"), field: "tx_id")
            let body = try AssignRequest(jsonBody: try await Self.jsonBody(request))
            try await self.store.assign(txID: txID, userID: body.userID)
            return JSONBody.response(.accepted, #"{"ok":true}"#)
        }
        admin.post("/api/v1/admin/transactions/:tx_id/requeue") { _, context in
            let txID = try Self.uuid(context.parameters.get("tx_id"), field: "tx_id")
            try await self.store.requeue(txID: txID)
            return JSONBody.response(.accepted, #"{"ok":true}"#)
        }
        admin.get("/api/v1/admin/supervisor") { _, _ in
            try JSONBody.response(.ok, encoding: await self.hooks.supervisionTree())
        }
        admin.post("/api/v1/admin/chaos/kill-worker") { _, _ in
            guard self.chaosEnabled else { throw ServiceError(.notFound, "chaos routes are disabled (CHAOS_ENABLED=false)") }
            guard let name = await self.hooks.killWorker() else { throw ServiceError(.conflict, "no worker is alive") }
            return JSONBody.response(.ok, #"{"killed":"# + JSONBody.quoted(name) + "}")
        }
    }

    static func uuid(_ text: String?, field: String) throws(ServiceError) -> UUID {
        guard let text, let id = UUID(uuidString: text) else { throw ServiceError.invalid("\(field) must be a UUID") }
        return id
    }

    /// The body's bytes once it is declared as JSON and within 16 KiB.
    static func jsonBody(_ request: Request) async throws -> [UInt8] {
        guard let contentType = request.headers[.contentType], WebhookHandler.isJSON(contentType) else {
            throw ServiceError(.unsupportedMediaType, "Content-Type must be application/json")
        }
        do {
            return Array(try await request.body.collect(upTo: 16 * 1024).readableBytesView)
        } catch {
            throw ServiceError(.payloadTooLarge, "body exceeds 16384 bytes")
        }
    }
}
