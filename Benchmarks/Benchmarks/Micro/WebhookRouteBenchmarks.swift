import Actors
import Benchmark
import CricalgoRuntime
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import TestSupport

/// `POST /api/v1/webhooks/bep20` driven in process through the service's own router
/// (``ServiceRouterBuilder``), no socket: the request context, the envelope checks, the
/// signature (`X-Signature: sha256=<hex>`), parsing into a `DepositRecord`, the commit (with
/// its timeout) and the 202 answer written out. Each iteration is one signed webhook with a
/// tx_hash of its own; the requests are built before the measurement, as the HTTP server
/// would have parsed them. Metrics are recorded into the disabled recorder and the routes log
/// nothing below `critical`: the `MetricsRecorder` benchmarks measure recording.
func registerWebhookRouteBenchmarks() {
    Benchmark("Webhook_route,_signed,_answered_at_once") { benchmark async throws in
        // The route's own cost: an ingest that answers without storing anything.
        let route = try WebhookRoute(ingest: InstantIngest())
        let requests = route.requests(benchmark.scaledIterations.count, run: "instant")
        benchmark.startMeasurement()
        for request in requests {
            try await route.send(request)
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Webhook_route_to_group_commit,_signed,_one_at_a_time") { benchmark async throws in
        // The whole in-process path: route, GroupCommitter, an in-memory store.
        let store = ScriptedIngestStore()
        let committer = GroupCommitter(store: store, logger: quietLogger("bench-committer"))
        let route = try WebhookRoute(ingest: committer)
        let requests = route.requests(benchmark.scaledIterations.count, run: "committed")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await committer.run() }
            benchmark.startMeasurement()
            for request in requests {
                try await route.send(request)
            }
            benchmark.stopMeasurement()
            group.cancelAll()
        }
        precondition(store.storedTxHashes.count == requests.count, "every webhook is stored")
    }
}

/// The service's router over an ingest, with signatures required.
private struct WebhookRoute {
    static let secret = "bench-route-secret"

    let responder: Router<ServiceRequestContext>.Responder
    let verifier: SignatureVerifier
    let channel = NIOAsyncTestingChannel()
    let logger = quietLogger("bench-route")

    init(ingest: any WebhookIngest) throws {
        let logger = quietLogger("bench-router")
        let builder = ServiceRouterBuilder(
            configuration: .init(webhookSecret: Self.secret),
            ingest: ingest,
            store: ScriptedIngestStore(),
            health: ServiceHealth(),
            incarnation: IngressIncarnation(committer: nil),
            metrics: ServiceMetrics(recorder: .disabled),
            metricsActor: MetricsActor(logger: logger),
            hooks: AdminHooks(supervisionTree: { SupervisionTreeNode(name: "bench", state: "running", restarts: 0) }, killWorker: { nil }),
            logger: logger
        )
        self.responder = try builder.makeRouter().buildResponder()
        self.verifier = try SignatureVerifier(secret: Self.secret)
    }

    /// `count` signed webhooks as the HTTP server hands them over, each a new transfer.
    func requests(_ count: Int, run: String) -> [Request] {
        (0..<count).map { index in
            let body = Array(
                #"{"tx_hash":"bench-\#(run)-\#(index)","amount":"1.5","confirmations":12,"user_id":"3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"}"#.utf8
            )
            let headers: HTTPFields = [
                .contentType: "application/json",
                .contentLength: String(body.count),
                .init("X-Signature")!: self.verifier.hexSignature(for: body),
            ]
            return Request(
                head: .init(method: .post, scheme: "http", authority: "127.0.0.1", path: "/api/v1/webhooks/bep20", headerFields: headers),
                body: RequestBody(buffer: ByteBuffer(bytes: body))
            )
        }
    }

    /// One request through the router, its answer written out; anything but a 202 stops the run.
    func send(_ request: Request) async throws {
        let context = ServiceRequestContext(source: .init(channel: self.channel, logger: self.logger))
        let response = try await self.responder.respond(to: request, context: context)
        precondition(response.status == .accepted, "webhook answered \(response.status)")
        try await response.body.write(BodyCollector())
    }
}

/// Takes the answer's bytes as the HTTP server's writer would, and drops them.
private struct BodyCollector: ResponseBodyWriter {
    mutating func write(_ buffer: ByteBuffer) async throws {
        blackHole(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// An ingest that answers every webhook as a new deposit without storing it.
private struct InstantIngest: WebhookIngest {
    let result = IngestResult(txID: UUID(), outcome: .accepted(created: true, queued: true))

    func submit(_ record: DepositRecord, timeout: Duration) async throws -> IngestResult { self.result }
}

func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}
