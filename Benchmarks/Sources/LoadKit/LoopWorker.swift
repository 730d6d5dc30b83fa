import Foundation
import NIOCore
import NIOHTTP1

/// What one event loop's worker is told to do.
struct LoopPlan: Sendable {
    /// This loop's index among `threads`.
    var index: Int
    var threads: Int
    var configuration: LoadConfiguration
    /// Monotonic nanoseconds: load starts (warm-up begins), measuring starts, load ends.
    var start: UInt64
    var measureStart: UInt64
    var end: UInt64
    var clocks: RunClocks

    /// This loop's share of `total` (connections or virtual users).
    func share(of total: Int) -> Int {
        total / self.threads + (self.index < total % self.threads ? 1 : 0)
    }
}

/// A progress snapshot of one loop.
struct LoopSnapshot: Sendable {
    var statistics: LoadStatistics
    var inFlight: Int
    var backlog: Int
    var creditPending: Int
}

/// Drives the share of the load that runs on one event loop: its webhook connections, the
/// closed- or open-loop pacing, recording, and optional credit polling. Lives on its event
/// loop and is only touched from it (the runner reaches it through `NIOLoopBound`).
final class LoopWorker {
    /// Legal transitions: `idle → loading` (start); `loading → draining` (no more sends);
    /// `draining → watching` (last answer, when watching credits); `draining | watching → done`.
    enum Phase {
        case idle
        case loading
        case draining
        case watching
        case done
    }

    let eventLoop: any EventLoop
    let plan: LoopPlan
    private let payload: WebhookPayload
    private let connections: [ClientConnection]
    private var phase = Phase.idle
    private var finished: EventLoopPromise<Void>?

    var statistics = LoadStatistics()
    private(set) var credit: StatusPoller?
    private(set) var verification = VerificationResult()
    private(set) var inFlight = 0

    /// Whether the load has started (at `plan.start`).
    private var loadBegan = false
    /// Closed loop: virtual users still sending.
    var activeUsers = 0
    /// Open loop: the arrivals of this loop, and the connections free to take one.
    var schedule: ArrivalSchedule?
    var idleConnections: [Int] = []
    var wakeAt: UInt64?
    /// Open loop: the end has passed and the undispatched arrivals were counted as dropped.
    var arrivalsClosed = false

    private var nextLocalSequence = 0
    private var random: SplitMix64
    /// First sends answered 202, by sequence number (only when tx_ids are collected).
    private var accepted: [Int: UUID] = [:]
    private var acceptedSequences: [Int] = []

    init(plan: LoopPlan, eventLoop: any EventLoop) {
        self.plan = plan
        self.eventLoop = eventLoop
        self.payload = WebhookPayload(configuration: plan.configuration.payload)
        let count = plan.share(of: plan.configuration.mode.connections)
        self.connections = (0..<count).map { _ in ClientConnection(eventLoop: eventLoop, target: plan.configuration.target) }
        self.random = SplitMix64(seed: UInt64(plan.index) &* 0x9E37_79B9 &+ plan.start)
        if let watch = plan.configuration.credit, let token = plan.configuration.adminToken {
            let poller = StatusPoller(
                purpose: .waitCredited(interval: UInt64(watch.pollInterval.nanosecondsValue)),
                eventLoop: eventLoop,
                target: plan.configuration.target,
                token: token,
                connections: plan.share(of: watch.connections),
                clocks: plan.clocks,
                maximumRate: watch.maximumRate / Double(plan.threads)
            )
            self.credit = poller
        }
    }

    /// Opens every webhook connection.
    func connectAll() -> EventLoopFuture<Void> {
        let futures = self.connections.map { $0.connect() }
        return EventLoopFuture.andAllSucceed(futures, on: self.eventLoop)
    }

    /// Starts the load at `plan.start`; the future completes once the load is over, every
    /// answer is in and (when watching credits) every deposit is final or given up.
    func start() -> EventLoopFuture<Void> {
        precondition(self.phase == .idle, "LoopWorker.start called twice")
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.finished = promise
        self.phase = .loading
        self.credit?.onDrained = { [unowned self] in self.checkFinished() }
        let now = NIODeadline.now().uptimeNanoseconds
        self.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(self.plan.start > now ? self.plan.start - now : 0))) {
            self.beginLoad()
        }
        self.sweep()
        return promise.futureResult
    }

    private func beginLoad() {
        self.loadBegan = true
        switch self.plan.configuration.mode {
        case .closed:
            self.activeUsers = self.connections.count
            for user in self.connections.indices { self.runVirtualUser(user) }
        case .open(let rate, _):
            let interval = 1e9 / rate
            self.schedule = ArrivalSchedule(
                rate: rate / Double(self.plan.threads),
                start: self.plan.start + UInt64(Double(self.plan.index) * interval),
                end: self.plan.end
            )
            self.idleConnections = Array(self.connections.indices.reversed())
            self.dispatch()
        }
        self.checkFinished()
    }

    /// What the progress line shows.
    func snapshot() -> LoopSnapshot {
        let now = NIODeadline.now().uptimeNanoseconds
        return LoopSnapshot(
            statistics: self.statistics,
            inFlight: self.inFlight,
            backlog: self.schedule.map { $0.backlog(at: min(now, self.plan.end)) } ?? 0,
            creditPending: self.credit?.outstanding ?? 0
        )
    }

    // MARK: Sending

    /// Sends one webhook on connection `index`; `then` runs after the answer or failure.
    func sendWebhook(on index: Int, due: UInt64, then: @escaping (Result<HTTPAnswer, LoadError>) -> Void) {
        let now = NIODeadline.now().uptimeNanoseconds
        let (sequence, isRepeat) = self.nextSequence()
        let request = self.request(sequence: sequence)
        let measured = due >= self.plan.measureStart
        if measured {
            self.statistics.recordSend(
                due: due,
                latenessNanoseconds: now > due ? now - due : 0,
                tolerance: UInt64(self.plan.configuration.latenessTolerance.nanosecondsValue),
                isRepeat: isRepeat
            )
        }
        self.inFlight += 1
        self.connections[index].send(request) { result in
            self.inFlight -= 1
            switch result {
            case .success(let answer):
                self.statistics.answeredIncludingWarmup += 1
                if measured {
                    self.statistics.recordAnswer(status: answer.status, latencyNanoseconds: answer.receivedAt &- due, answeredAt: answer.receivedAt)
                }
                if answer.status == 202, self.plan.configuration.collectsTransactionIDs {
                    self.accepted(answer, sequence: sequence, isRepeat: isRepeat, due: due, measured: measured)
                }
            case .failure(let error):
                if measured { self.statistics.recordFailure(error, answeredAt: NIODeadline.now().uptimeNanoseconds) }
            }
            then(result)
            self.checkFinished()
        }
    }

    private func nextSequence() -> (Int, Bool) {
        let rate = self.plan.configuration.payload.repeatRate
        if rate > 0, !self.acceptedSequences.isEmpty, Double(self.random.next() >> 11) * 0x1p-53 < rate {
            let pick = Int(self.random.next() % UInt64(self.acceptedSequences.count))
            return (self.acceptedSequences[pick], true)
        }
        defer { self.nextLocalSequence += 1 }
        return (self.nextLocalSequence * self.plan.threads + self.plan.index, false)
    }

    private func request(sequence: Int) -> PreparedRequest {
        let body = self.payload.body(sequence)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/v1/webhooks/bep20")
        head.headers.reserveCapacity(8)
        head.headers.add(name: "Host", value: self.plan.configuration.target.hostHeader)
        head.headers.add(name: "User-Agent", value: "webhook-bench")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        let unixSeconds = self.payload.needsTimestamp ? Int64(Date().timeIntervalSince1970) : 0
        for (name, value) in self.payload.signatureHeaders(body: body, sequence: sequence, unixSeconds: unixSeconds) {
            head.headers.add(name: name, value: value)
        }
        return PreparedRequest(head: head, body: ByteBuffer(bytes: body))
    }

    private func accepted(_ answer: HTTPAnswer, sequence: Int, isRepeat: Bool, due: UInt64, measured: Bool) {
        guard let txID = AnswerFields.transactionID(in: answer.body) else {
            self.statistics.transportErrors["noTxID", default: 0] += 1
            return
        }
        if isRepeat {
            if let first = self.accepted[sequence], first != txID { self.statistics.repeatMismatches += 1 }
            return
        }
        self.accepted[sequence] = txID
        self.acceptedSequences.append(sequence)
        if measured {
            self.credit?.add(txID: txID, txHash: self.payload.txHash(sequence), webhookDue: due, now: answer.receivedAt)
        }
    }

    // MARK: Ending

    /// Enforces request timeouts every 100 ms while the worker runs.
    private func sweep() {
        guard self.phase != .done else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        let timeout = UInt64(self.plan.configuration.requestTimeout.nanosecondsValue)
        for connection in self.connections { connection.expire(now: now, timeout: timeout) }
        self.credit?.expire(now: now, timeout: timeout)
        if case .open = self.plan.configuration.mode, self.phase == .loading { self.dispatch() }
        self.checkFinished()
        self.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) { self.sweep() }
    }

    /// Moves through the phases once their conditions hold.
    func checkFinished() {
        if self.phase == .loading, self.loadIsOver {
            self.phase = .draining
        }
        if self.phase == .draining, self.inFlight == 0 {
            for connection in self.connections { connection.close() }
            if let credit = self.credit, let watch = self.plan.configuration.credit {
                self.phase = .watching
                credit.giveUp(at: NIODeadline.now().uptimeNanoseconds + UInt64(watch.timeout.nanosecondsValue))
            } else {
                self.complete()
            }
        }
        if self.phase == .watching, let credit = self.credit, credit.outstanding == 0 {
            credit.close()
            self.complete()
        }
    }

    private var loadIsOver: Bool {
        switch self.plan.configuration.mode {
        case .closed: self.loadBegan && self.activeUsers == 0
        case .open: self.arrivalsClosed
        }
    }

    private func complete() {
        self.phase = .done
        self.finished?.succeed()
        self.finished = nil
    }

    // MARK: Verification

    /// Fetches every tx_id this loop saw accepted, over `connections` connections.
    func verify(connections: Int) -> EventLoopFuture<Void> {
        guard let token = self.plan.configuration.adminToken, !self.accepted.isEmpty else {
            return self.eventLoop.makeSucceededVoidFuture()
        }
        let promise = self.eventLoop.makePromise(of: Void.self)
        let poller = StatusPoller(
            purpose: .verify, eventLoop: self.eventLoop, target: self.plan.configuration.target,
            token: token, connections: connections, clocks: self.plan.clocks
        )
        var done = false
        poller.onDrained = { [unowned self, unowned poller] in
            guard !done, poller.outstanding == 0 else { return }
            done = true
            self.verification = poller.verification
            poller.close()
            promise.succeed()
        }
        let now = NIODeadline.now().uptimeNanoseconds
        for (sequence, txID) in self.accepted {
            poller.add(txID: txID, txHash: self.payload.txHash(sequence), webhookDue: 0, now: now)
        }
        // Keeps the poller alive until it drains; timeouts as during the run.
        let timeout = UInt64(self.plan.configuration.requestTimeout.nanosecondsValue)
        func sweep() {
            poller.expire(now: NIODeadline.now().uptimeNanoseconds, timeout: timeout)
            self.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) {
                if poller.outstanding > 0 { sweep() }
            }
        }
        sweep()
        return promise.futureResult
    }
}
