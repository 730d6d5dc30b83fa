import PropertyBased
import Testing
import TestSupport

@testable import Runtime

/// Drives the state machine with random events, performing its actions the way the actor
/// would, and checks after every event that it keeps its promises.
struct PoolSimulation {
    var machine = TestMachine(
        poolSize: 1,
        maxOverflow: 1,
        acquireTimeout: .seconds(30),
        maxConnectionAge: .seconds(120),
        validateAfterIdle: .seconds(10),
        reconnectBackoff: Backoff(minimum: .milliseconds(100), maximum: .seconds(5))
    )
    var now = MockClock.Instant(.zero)
    var nextRequest = 0
    /// Waiting requests and their deadlines.
    var waiting: [Int: MockClock.Instant] = [:]
    var answered: Set<Int> = []
    var opening: [Int] = []
    /// Established connections not leased (idle, or being validated).
    var established: Set<Int> = []
    var validating: [Int] = []
    var leased: [Int: Int] = [:]
    var closing: [Int] = []
    var timeoutTimers: [MockClock.Instant] = []
    var backoffTimers: [MockClock.Instant] = []
    var idleTimers: [MockClock.Instant] = []
    var shutdowns = 0
    /// Connects started while the database was down.
    var probes: Set<Int> = []

    var total: Int { self.opening.count + self.established.count + self.leased.count + self.closing.count }

    /// One random event, chosen by `code`; events that do not apply now are skipped.
    mutating func step(_ code: Int) {
        let argument = code / 10
        switch code % 10 {
        case 0, 1:
            self.nextRequest += 1
            self.waiting[self.nextRequest] = self.now.advanced(by: self.machine.acquireTimeout)
            self.apply(self.machine.leaseRequested(self.nextRequest, now: self.now))
        case 2:
            guard let request = self.waiting.keys.sorted().pick(argument) else { return }
            self.waiting[request] = nil
            self.answered.insert(request)
            self.apply(self.machine.leaseCancelled(request))
        case 3, 4:
            guard let connection = self.opening.pick(argument) else { return }
            self.opening.removeAll { $0 == connection }
            if code % 10 == 3 {
                self.established.insert(connection)
                self.apply(self.machine.connectionEstablished(connection, now: self.now))
            } else {
                self.apply(self.machine.connectFailed(connection, now: self.now))
            }
        case 5, 6:
            guard let connection = self.leased.keys.sorted().pick(argument) else { return }
            self.leased[connection] = nil
            self.established.insert(connection)
            self.apply(self.machine.connectionReleased(connection, failed: code % 10 == 6, now: self.now))
        case 7:
            guard let connection = self.validating.pick(argument) else { return }
            self.validating.removeAll { $0 == connection }
            self.apply(self.machine.validationResult(connection, passed: argument % 3 != 0, now: self.now))
        case 8:
            guard let connection = self.closing.pick(argument) else { return }
            self.closing.removeAll { $0 == connection }
            self.apply(self.machine.connectionClosed(connection, now: self.now))
        default:
            if argument % 40 == 0 {
                self.apply(self.machine.close())
            } else {
                self.advance(by: .milliseconds(argument * 37 % 20_000))
            }
        }
    }

    /// Moves time on, firing due timers in deadline order.
    mutating func advance(by duration: Duration) {
        let target = self.now.advanced(by: duration)
        while true {
            let nextTimeout = self.timeoutTimers.min()
            let nextBackoff = self.backoffTimers.min()
            let nextIdle = self.idleTimers.min()
            guard let deadline = [nextTimeout, nextBackoff, nextIdle].compactMap({ $0 }).min(), deadline <= target else { break }
            self.now = max(self.now, deadline)
            if deadline == nextTimeout {
                self.timeoutTimers.remove(at: self.timeoutTimers.firstIndex(of: deadline)!)
                self.apply(self.machine.timeoutTimerFired(now: self.now))
            } else if deadline == nextIdle {
                self.idleTimers.remove(at: self.idleTimers.firstIndex(of: deadline)!)
                self.apply(self.machine.idleTimerFired(now: self.now))
            } else {
                self.backoffTimers.remove(at: self.backoffTimers.firstIndex(of: deadline)!)
                self.apply(self.machine.backoffTimerFired(now: self.now))
            }
        }
        self.now = max(self.now, target)
    }

    /// Performs `actions` on the model, checking each is legal, then checks the invariants.
    mutating func apply(_ actions: [TestMachine.Action]) {
        var connects: [Int] = []
        for action in actions {
            switch action {
            case .lease(let connection, let request, let waited):
                #expect(self.waiting[request] != nil, "leased to a request that is not waiting")
                #expect(request == self.waiting.keys.min(), "leased out of arrival order")
                #expect(self.established.contains(connection) && !self.validating.contains(connection))
                #expect(waited >= .zero)
                self.waiting[request] = nil
                self.answered.insert(request)
                self.established.remove(connection)
                self.leased[connection] = request
            case .fail(let request, let error):
                let deadline = self.waiting.removeValue(forKey: request)
                #expect(deadline != nil, "failed a request that is not waiting")
                if error == .poolAcquireTimeout, let deadline { #expect(deadline <= self.now) }
                self.answered.insert(request)
            case .connect(let connection):
                connects.append(connection)
                self.opening.append(connection)
            case .validate(let connection):
                #expect(self.established.contains(connection) && !self.validating.contains(connection))
                self.validating.append(connection)
            case .close(let connection):
                #expect(self.established.contains(connection) && !self.validating.contains(connection))
                self.established.remove(connection)
                self.closing.append(connection)
            case .scheduleTimeout(let deadline):
                #expect(deadline > self.now)
                self.timeoutTimers.append(deadline)
            case .scheduleReconnect(let delay):
                #expect(delay > .zero)
                self.backoffTimers.append(self.now.advanced(by: delay))
            case .scheduleIdleCheck(let deadline):
                #expect(deadline > self.now)
                self.idleTimers.append(deadline)
            case .shutdownDone:
                self.shutdowns += 1
                #expect(self.total == 0)
            }
        }
        if case .down = self.machine.connectivity {
            self.probes.formUnion(connects)
        } else {
            self.probes.removeAll()
        }
        self.checkInvariants()
    }

    func checkInvariants() {
        #expect(self.total <= self.machine.maximum)
        let statistics = self.machine.statistics
        #expect(statistics.waiters == self.waiting.count)
        #expect(statistics.active == self.leased.count)
        #expect(statistics.opening == self.opening.count)
        #expect(statistics.idle == self.established.count)
        // Overflow sitting idle is closed in time: a timer is pending for it.
        let kept = self.opening.count + self.established.count + self.leased.count
        if self.machine.lifecycle == .running && kept > self.machine.poolSize && self.established.count > self.validating.count {
            #expect(self.idleTimers.contains { $0 >= self.now }, "idle overflow with no timer to close it")
        }
        #expect(self.probes.count { self.opening.contains($0) } <= 1, "one probe at a time while the database is down")
        guard self.machine.lifecycle == .running, let oldest = self.waiting.values.min() else { return }
        // Someone waits: a timer must be armed that fires by the oldest deadline ...
        #expect(self.timeoutTimers.contains { $0 <= oldest })
        // ... no idle connection may sit unused unless all are being checked for the waiters ...
        #expect(self.established.count == self.validating.count || self.validating.count >= self.waiting.count)
        // ... and something must be under way that will serve them.
        var retryPending = false
        if case .down(_, .scheduled) = self.machine.connectivity { retryPending = !self.backoffTimers.isEmpty }
        let progress = !self.leased.isEmpty || !self.opening.isEmpty || !self.validating.isEmpty
            || !self.closing.isEmpty || retryPending
        #expect(progress, "waiters with nothing under way to serve them")
    }

    /// Closes the pool and completes all outstanding work.
    mutating func drain() {
        self.apply(self.machine.close())
        while self.total > 0 || !self.validating.isEmpty {
            if let connection = self.opening.first {
                self.opening.removeFirst()
                self.established.insert(connection)
                self.apply(self.machine.connectionEstablished(connection, now: self.now))
            } else if let connection = self.validating.first {
                self.validating.removeFirst()
                self.apply(self.machine.validationResult(connection, passed: true, now: self.now))
            } else if let connection = self.leased.keys.first {
                self.leased[connection] = nil
                self.established.insert(connection)
                self.apply(self.machine.connectionReleased(connection, failed: false, now: self.now))
            } else if let connection = self.closing.first {
                self.closing.removeFirst()
                self.apply(self.machine.connectionClosed(connection, now: self.now))
            } else {
                Issue.record("idle connections left open after close")
                return
            }
        }
        self.advance(by: .seconds(3600))
    }
}

extension Array {
    /// The element at `index` modulo the count; `nil` when empty.
    func pick(_ index: Int) -> Element? {
        self.isEmpty ? nil : self[index % self.count]
    }
}

@Suite struct PoolStateMachinePropertyTests {
    @Test func randomEventSequencesKeepEveryInvariant() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...99_999).array(of: 1...300)) { codes in
            var simulation = PoolSimulation()
            for code in codes {
                simulation.step(code)
            }
            simulation.drain()
            #expect(simulation.shutdowns == 1)
            #expect(simulation.machine.lifecycle == .closed)
            #expect(simulation.waiting.isEmpty)
            #expect(simulation.answered.count == simulation.nextRequest)
        }
    }
}
