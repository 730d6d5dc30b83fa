import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Runtime

/// What the admin routes need from the running service beyond the store.
public struct AdminHooks: Sendable {
    /// The live supervision tree.
    public var supervisionTree: @Sendable () async -> SupervisionTreeNode
    /// Kills one worker actor mid-flight; returns its name, or nil when none is alive.
    public var killWorker: @Sendable () async -> String?

    public init(
        supervisionTree: @escaping @Sendable () async -> SupervisionTreeNode,
        killWorker: @escaping @Sendable () async -> String?
    ) {
        self.supervisionTree = supervisionTree
        self.killWorker = killWorker
    }
}

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

/// 404 when no token is configured, 401 unless `Authorization: Bearer <token>` matches
/// (compared in constant time). The scheme is case-insensitive and may be followed by
/// several spaces or tabs (RFC 7235). Every refusal is logged as a security event with the
/// client's address and the route, never the token.
struct BearerTokenMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let token: String?
    let logger: Logger

    /// Why an authentication failed, as logged.
    enum Refusal: String {
        case missingHeader = "missing_authorization"
        case wrongScheme = "wrong_scheme"
        case wrongToken = "wrong_token"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = self.token else { throw ServiceError(.notFound, "no such route") }
        let refusal: Refusal
        if let header = request.headers[.authorization] {
            if let presented = Self.bearerCredentials(header) {
                guard !Self.constantTimeEqual(presented, Array(token.utf8)) else { return try await next(request, context) }
                refusal = .wrongToken
            } else {
                refusal = .wrongScheme
            }
        } else {
            refusal = .missingHeader
        }
        self.logger.warning("admin_unauthorized", metadata: [
            "security_event": "true",
            "client.address": "\(context.remoteAddress?.ipAddress ?? "unknown")",
            "reason": "\(refusal.rawValue)",
            "route": "\(request.method) \(context.endpointPath ?? String(request.uri.path.prefix(256)))",
        ])
        throw ServiceError(.unauthorized, "missing or wrong bearer token")
    }

    /// The credentials after a case-insensitive `Bearer` scheme and one or more spaces or
    /// tabs; nil for any other scheme.
    static func bearerCredentials(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ ($0 | 0x20) == $1 })
        else { return nil }
        var index = scheme.count
        guard bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") else { return nil }
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
        return Array(bytes[index...])
    }

    /// Compares digests so neither length nor content leaks through timing.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        let left = SHA256.hash(data: lhs)
        let right = SHA256.hash(data: rhs)
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

struct TransactionBody: Encodable {
    var tx_id: String
    var tx_hash: String
    var chain: String
    var log_index: Int64
    var status: String
    var confirmations: Int64
    var amount: String
    var currency: String
    var user_id: String?
    var processed_at: String?
    var failure_reason: String?

    init(_ status: TransactionStatus) {
        self.tx_id = status.txID.apiString
        self.tx_hash = status.txHash
        self.chain = status.chain
        self.log_index = status.logIndex
        self.status = status.state.rawValue
        self.confirmations = status.confirmations
        self.amount = status.amount.description
        self.currency = status.currency
        self.user_id = status.userID?.apiString
        self.processed_at = status.processedAt.map { $0.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) }
        self.failure_reason = status.failureReason
    }

    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case tx_id, tx_hash, chain, log_index, status, confirmations, amount, currency, user_id, processed_at, failure_reason }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(self.tx_id, forKey: .tx_id)
        try container.encode(self.tx_hash, forKey: .tx_hash)
        try container.encode(self.chain, forKey: .chain)
        try container.encode(self.log_index, forKey: .log_index)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.confirmations, forKey: .confirmations)
        try container.encode(self.amount, forKey: .amount)
        try container.encode(self.currency, forKey: .currency)
        // null, not absent: the contract lists both keys.
        try container.encode(self.user_id, forKey: .user_id)
        try container.encode(self.processed_at, forKey: .processed_at)
        try container.encode(self.failure_reason, forKey: .failure_reason)
    }
}

struct WalletBody: Encodable {
    var user_id: String
    var deposit_balance: String
    var winning_balance: String
    var bonus_balance: String

    init(_ wallet: Wallet) {
        self.user_id = wallet.userID.apiString
        self.deposit_balance = wallet.depositBalance.description
        self.winning_balance = wallet.winningBalance.description
        self.bonus_balance = wallet.bonusBalance.description
    }
}
