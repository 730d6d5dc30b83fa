import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Runtime

/// A whole service (ingress, workers, store) running in-process on a loopback port.
public struct RunningService: Sendable {
    public let service: DepositService
    public let port: Int
    public static let adminToken = "test-admin-token"

    /// Runs `body` with an HTTP/1.1 client connected to the service.
    public func withClient<Value: Sendable>(_ body: @escaping @Sendable (TestClient) async throws -> Value) async throws -> Value {
        try await TestClient.withClient(host: "127.0.0.1", port: self.port, operation: body)
    }
}

/// The configuration tests start from: loopback, a free port, admin and chaos routes on,
/// short polls and timeouts so nothing waits long.
public func testConfiguration(_ database: TestDatabase) -> ServiceConfiguration {
    var configuration = ServiceConfiguration(database: database.location)
    configuration.ingress.host = "127.0.0.1"
    configuration.ingress.port = 0
    configuration.ingress.adminToken = RunningService.adminToken
    configuration.ingress.chaosEnabled = true
    configuration.poolSize = 8
    configuration.poolMaxOverflow = 4
    // Generous, so a busy test machine does not turn into 503s; tests of timeouts set their own.
    configuration.poolTimeout = .seconds(30)
    configuration.ingress.ingestTimeout = .seconds(30)
    configuration.workerConcurrency = 4
    configuration.worker.pollInterval = .milliseconds(200)
    configuration.worker.retryBackoff = Backoff(minimum: .milliseconds(10), maximum: .milliseconds(100))
    configuration.monitorInterval = .milliseconds(200)
    configuration.shutdownTimeout = .seconds(5)
    configuration.supervisorMaxRestarts = 1000
    configuration.supervisorRestartWindow = .seconds(1)
    return configuration
}

/// A logger for tests: warnings and above unless `CRICALGO_TEST_LOG_LEVEL` says otherwise.
public func testLogger(_ label: String = "test") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["CRICALGO_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    return logger
}

/// Starts the service on `database`, runs `body`, then shuts the service down in order
/// and waits for it to stop.
public func withRunningService<Value: Sendable>(
    _ database: TestDatabase,
    clock: WallClock = .system,
    faults: any FaultInjector = NoFaults(),
    observer: any WorkerObserver = NoWorkerObserver(),
    configure: (inout ServiceConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (RunningService) async throws -> Value
) async throws -> Value {
    var configuration = testConfiguration(database)
    configure(&configuration)
    let service = try DepositService(configuration: configuration, logger: testLogger(), clock: clock, faults: faults, observer: observer)
    return try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask {
            try await service.run()
            return nil
        }
        let port = await service.ingress.port()
        do {
            let value = try await body(RunningService(service: service, port: port))
            await service.root.shutdown()
            try await group.waitForAll()
            return value
        } catch {
            await service.root.shutdown()
            group.cancelAll()
            throw error
        }
    }
}

extension TestClient {
    /// POSTs `json` as a webhook.
    public func webhook(_ json: String, headers: HTTPFields = [.contentType: "application/json"]) async throws -> TestClient.Response {
        try await self.post("/api/v1/webhooks/bep20", headers: headers, body: ByteBuffer(string: json))
    }

    /// Sends an admin request with the test bearer token.
    public func admin(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> TestClient.Response {
        var headers: HTTPFields = [.authorization: "Bearer \(RunningService.adminToken)"]
        if json != nil { headers[.contentType] = "application/json" }
        return try await self.execute(.init(uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }))
    }
}

extension TestClient.Response {
    /// The body parsed as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        guard let body = self.body,
              let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { return [:] }
        return object
    }

    public var text: String {
        self.body.map { String(buffer: $0) } ?? ""
    }
}
