import Foundation
import NIOCore
import NIOHTTP1

/// Fetches deposits from `GET /api/v1/transactions/{tx_id}` on one event loop, over a few
/// keep-alive connections of its own.
///
/// Two uses: ``Purpose/verify`` fetches each deposit once after the run (retrying transport
/// errors) and checks it exists with the tx_hash sent; ``Purpose/waitCredited`` polls each
/// deposit every interval from its acceptance until it is final, measuring webhook → credited.
/// Items are polled in FIFO order; since every item is (re)queued `interval` after "now", the
/// queue stays ordered by poll time. Polls are also spaced to at most `maximumRate` per second,
/// so that watching a growing backlog does not turn into a load of its own on the service.
final class StatusPoller {
    enum Purpose {
        case verify
        case waitCredited(interval: UInt64)
    }

    private struct Item {
        var txID: UUID
        var txHash: String
        /// Monotonic due time of the webhook.
        var webhookDue: UInt64
        var pollAt: UInt64
        var failures: Int
    }

    private let purpose: Purpose
    private let eventLoop: any EventLoop
    private let target: TargetURL
    private let token: String
    private let clocks: RunClocks
    /// Nanoseconds between two polls at the maximum rate (0: unlimited).
    private let spacing: UInt64
    /// The earliest time the next poll may leave.
    private var nextSendAt: UInt64 = 0
    private var connections: [ClientConnection]
    private var idle: [Int]
    private var queue: [Item] = []
    private var head = 0
    private var inFlight = 0
    private var wakeAt: UInt64?
    /// After this (monotonic) time, items still waiting are given up as unresolved.
    private var deadline: UInt64?
    /// Called each time the poller runs out of work.
    var onDrained: (() -> Void)?

    private(set) var credit = CreditStatistics()
    private(set) var verification = VerificationResult()

    init(
        purpose: Purpose, eventLoop: any EventLoop, target: TargetURL, token: String, connections: Int, clocks: RunClocks,
        maximumRate: Double? = nil
    ) {
        self.purpose = purpose
        self.spacing = maximumRate.map { $0 > 0 ? UInt64(1e9 / $0) : 0 } ?? 0
        self.eventLoop = eventLoop
        self.target = target
        self.token = token
        self.clocks = clocks
        self.connections = (0..<max(connections, 1)).map { _ in ClientConnection(eventLoop: eventLoop, target: target) }
        self.idle = Array(self.connections.indices)
    }

    /// Items queued or in flight.
    var outstanding: Int { self.queue.count - self.head + self.inFlight }

    /// Queues one accepted deposit.
    func add(txID: UUID, txHash: String, webhookDue: UInt64, now: UInt64) {
        let pollAt: UInt64
        switch self.purpose {
        case .verify: pollAt = 0
        case .waitCredited(let interval):
            pollAt = now + interval
            self.credit.watched += 1
        }
        self.queue.append(Item(txID: txID, txHash: txHash, webhookDue: webhookDue, pollAt: pollAt, failures: 0))
        self.pump()
    }

    /// Items not final by `deadline` are counted unresolved instead of polled again.
    func giveUp(at deadline: UInt64) {
        self.deadline = deadline
        self.pump()
    }

    /// Fails polls that have waited longer than `timeout` for an answer.
    func expire(now: UInt64, timeout: UInt64) {
        for connection in self.connections { connection.expire(now: now, timeout: timeout) }
        self.pump()
    }

    /// Closes every connection.
    func close() {
        for connection in self.connections { connection.close() }
    }

    private func pump() {
        let now = NIODeadline.now().uptimeNanoseconds
        if let deadline = self.deadline, now >= deadline {
            self.credit.unresolved += self.queue.count - self.head
            self.queue.removeAll(keepingCapacity: false)
            self.head = 0
        }
        while !self.idle.isEmpty, self.head < self.queue.count, self.queue[self.head].pollAt <= now, self.nextSendAt <= now {
            let item = self.queue[self.head]
            self.head += 1
            if self.spacing > 0 { self.nextSendAt = max(self.nextSendAt, now - min(now, self.spacing)) + self.spacing }
            self.send(item, on: self.idle.removeLast())
        }
        if self.head > 4_096, self.head * 2 > self.queue.count {
            self.queue.removeFirst(self.head)
            self.head = 0
        }
        if self.head < self.queue.count, !self.idle.isEmpty {
            self.wake(at: min(max(self.queue[self.head].pollAt, self.nextSendAt), self.deadline ?? .max))
        } else if self.outstanding == 0 {
            self.onDrained?()
        }
    }

    private func wake(at time: UInt64) {
        if let pending = self.wakeAt, pending <= time { return }
        self.wakeAt = time
        let now = NIODeadline.now().uptimeNanoseconds
        self.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(time > now ? time - now : 0))) {
            if self.wakeAt == time { self.wakeAt = nil }
            self.pump()
        }
    }

    private func send(_ item: Item, on index: Int) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/api/v1/transactions/\(item.txID.uuidString.lowercased())")
        head.headers.add(name: "Host", value: self.target.hostHeader)
        head.headers.add(name: "Authorization", value: "Bearer \(self.token)")
        head.headers.add(name: "User-Agent", value: "webhook-bench")
        self.inFlight += 1
        if case .waitCredited = self.purpose { self.credit.polls += 1 }
        self.connections[index].send(PreparedRequest(head: head, body: nil)) { result in
            self.inFlight -= 1
            self.idle.append(index)
            self.handle(result, for: item)
            self.pump()
        }
    }

    private func handle(_ result: Result<HTTPAnswer, LoadError>, for item: Item) {
        switch self.purpose {
        case .verify: self.handleVerify(result, for: item)
        case .waitCredited(let interval): self.handleCredit(result, for: item, interval: interval)
        }
    }

    private func handleVerify(_ result: Result<HTTPAnswer, LoadError>, for item: Item) {
        let id = item.txID.uuidString.lowercased()
        switch result {
        case .success(let answer) where answer.status == 200:
            self.verification.checked += 1
            if AnswerFields.string("tx_hash", in: answer.body) == item.txHash {
                self.verification.found += 1
            } else {
                self.verification.mismatched += 1
                self.verification.noteExample(id)
            }
        case .success(let answer) where answer.status == 404:
            self.verification.checked += 1
            self.verification.missing += 1
            self.verification.noteExample(id)
        case .success, .failure:
            if item.failures < 3 {
                var retry = item
                retry.failures += 1
                self.queue.append(retry)
            } else {
                self.verification.checked += 1
                self.verification.errors += 1
            }
        }
    }

    private func handleCredit(_ result: Result<HTTPAnswer, LoadError>, for item: Item, interval: UInt64) {
        guard case .success(let answer) = result, answer.status == 200 || answer.status == 404 else {
            self.credit.pollErrors += 1
            self.requeue(item, interval: interval)
            return
        }
        if answer.status == 404 {
            self.credit.otherOutcomes["missing", default: 0] += 1
            return
        }
        switch AnswerFields.string("status", in: answer.body) {
        case "credited"?:
            self.credit.credited += 1
            _ = self.credit.observed.record(max((answer.receivedAt &- item.webhookDue) / 1_000, 1))
            if let stamp = AnswerFields.string("processed_at", in: answer.body).flatMap(ISO8601Milliseconds.parse) {
                let dueWall = self.clocks.wallMicroseconds(atMonotonic: item.webhookDue)
                _ = self.credit.stamped.record(UInt64(max(stamp * 1_000 - dueWall, 1)))
            }
        case "pending"?, "queued"?:
            self.requeue(item, interval: interval)
        case let other?:
            self.credit.otherOutcomes[other, default: 0] += 1
        case nil:
            self.credit.pollErrors += 1
            self.requeue(item, interval: interval)
        }
    }

    private func requeue(_ item: Item, interval: UInt64) {
        var next = item
        next.pollAt = NIODeadline.now().uptimeNanoseconds + interval
        self.queue.append(next)
    }
}
