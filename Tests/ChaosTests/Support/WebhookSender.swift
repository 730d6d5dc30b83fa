import Foundation
import HummingbirdTesting
import Synchronization
import TestSupport

/// What one webhook attempt got.
struct WebhookAnswer: Sendable {
    var request: Int
    var transfer: Int
    /// nil: no answer (the connection failed or was cut, e.g. the process was killed).
    var status: Int?
    var txID: UUID?
    var sent: ContinuousClock.Instant
    var answered: ContinuousClock.Instant
}

/// Sends a ``LoadPlan``'s webhooks over several keep-alive connections at once, each
/// connection taking the next request as soon as it has its answer (closed loop).
struct WebhookSender: Sendable {
    struct Options: Sendable {
        /// Concurrent connections.
        var connections = ChaosSettings.current.connections
        /// How often a request answered 503 is sent again at once (a retrying sender).
        var retriesAfterUnavailable = 0
        /// After a connection fails: open a new one after this delay, or stop that
        /// connection's loop when nil. Only for real processes (in-process runs never lose one).
        var reconnectDelay: Duration?
        /// The plan index to start from (a later round goes on where the last one stopped).
        var firstRequest = 0
    }

    let host: String
    let port: Int
    let plan: LoadPlan
    var options = Options()

    /// Sends requests in plan order until every one was sent or `stop` turns true, and
    /// returns every attempt's answer (also recorded in `answers` as they come, for a test
    /// that watches the run).
    func run(stop: StopFlag = StopFlag(), answers: AnswerLog = AnswerLog()) async -> LoadResult {
        let progress = Progress(first: self.options.firstRequest, answers: answers)
        await withDiscardingTaskGroup { group in
            for _ in 0..<self.options.connections {
                group.addTask {
                    await self.connectionLoop(progress: progress, stop: stop)
                }
            }
        }
        return LoadResult(plan: self.plan, answers: answers.all)
    }

    /// The shared cursor into the plan and where answers go.
    private final class Progress: Sendable {
        let cursor: Atomic<Int>
        let answers: AnswerLog

        init(first: Int, answers: AnswerLog) {
            self.cursor = Atomic(first)
            self.answers = answers
        }

        func next() -> Int { self.cursor.wrappingAdd(1, ordering: .relaxed).oldValue }
        func record(_ answer: WebhookAnswer) { self.answers.record(answer) }
    }

    private func connectionLoop(progress: Progress, stop: StopFlag) async {
        while !stop.isSet {
            do {
                try await TestClient.withClient(host: self.host, port: self.port) { client in
                    while !stop.isSet {
                        let index = progress.next()
                        guard index < self.plan.requests.count else { return }
                        try await self.send(index, client: client, progress: progress)
                    }
                }
                return
            } catch {
                guard let delay = self.options.reconnectDelay, !stop.isSet else { return }
                try? await Task.sleep(for: delay)
            }
        }
    }

    private func send(_ index: Int, client: TestClient, progress: Progress) async throws {
        let request = self.plan.requests[index]
        let body = self.plan.body(request)
        var attempts = 0
        while true {
            let sent = ContinuousClock.now
            var answer = WebhookAnswer(request: index, transfer: request.transfer, status: nil, txID: nil, sent: sent, answered: sent)
            do {
                let response = try await client.webhook(body)
                answer.answered = .now
                answer.status = Int(response.status.code)
                answer.txID = (response.json["tx_id"] as? String).flatMap(UUID.init(uuidString:))
                progress.record(answer)
            } catch {
                answer.answered = .now
                progress.record(answer)
                throw error
            }
            attempts += 1
            guard answer.status == 503, attempts <= self.options.retriesAfterUnavailable else { return }
        }
    }
}

/// Answers as they arrive.
final class AnswerLog: Sendable {
    private let answers = Mutex<[WebhookAnswer]>([])

    var all: [WebhookAnswer] { self.answers.withLock { $0 } }

    func record(_ answer: WebhookAnswer) { self.answers.withLock { $0.append(answer) } }

    /// Whether some answer satisfies `condition`.
    func contains(where condition: (WebhookAnswer) -> Bool) -> Bool {
        self.answers.withLock { $0.contains(where: condition) }
    }
}
