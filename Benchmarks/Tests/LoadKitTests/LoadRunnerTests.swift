import LoadKit
import Testing

/// End-to-end runs against ``FakeWebhookService`` over loopback. Runs are short (a few hundred
/// milliseconds of load); assertions are on counts, never on timings.
@Suite("LoadRunner against a fake service")
struct LoadRunnerTests {
    static func configuration(port: Int, mode: LoadMode, duration: Duration = .milliseconds(300)) -> LoadConfiguration {
        var configuration = LoadConfiguration(target: TargetURL(host: "127.0.0.1", port: port))
        configuration.mode = mode
        configuration.duration = duration
        configuration.payload.runID = "test"
        configuration.adminToken = "token"
        return configuration
    }

    static func withService<R>(loseEvery: Int = 0, pollsBeforeCredit: Int = 0, _ body: (FakeWebhookService) async throws -> R) async throws -> R {
        let service = try await FakeWebhookService(loseEvery: loseEvery, pollsBeforeCredit: pollsBeforeCredit)
        do {
            let result = try await body(service)
            try await service.shutdown()
            return result
        } catch {
            try? await service.shutdown()
            throw error
        }
    }

    @Test("closed loop: every request is answered and every accepted tx_id verifies")
    func closedLoopVerifies() async throws {
        try await Self.withService { service in
            var configuration = Self.configuration(port: service.port, mode: .closed(virtualUsers: 4))
            configuration.verify = true
            let outcome = try await LoadRunner(configuration: configuration).run { _ in }
            let statistics = outcome.statistics
            #expect(statistics.sent > 0)
            #expect(statistics.answered == statistics.sent)
            #expect(statistics.statusCodes == [202: statistics.answered])
            #expect(statistics.errors == 0)
            #expect(statistics.latency.totalCount == UInt64(statistics.answered))
            let verification = try #require(outcome.verification)
            #expect(verification.checked == service.webhooks)
            #expect(verification.found == verification.checked)
            #expect(verification.passed)
            #expect(!LoadReport(outcome: outcome, label: "t").failed)
        }
    }

    @Test("open loop: every scheduled arrival is sent or counted as dropped")
    func openLoopAccountsForEveryArrival() async throws {
        try await Self.withService { service in
            let configuration = Self.configuration(port: service.port, mode: .open(rate: 500, connections: 4), duration: .milliseconds(400))
            let outcome = try await LoadRunner(configuration: configuration).run { _ in }
            let statistics = outcome.statistics
            #expect(statistics.sent + statistics.droppedSends == 200)
            #expect(statistics.answered + statistics.transportErrors.values.reduce(0, +) == statistics.sent)
            #expect(service.webhooks == statistics.sent)
        }
    }

    @Test("warm-up requests are sent but not measured")
    func warmupIsDiscarded() async throws {
        try await Self.withService { service in
            var configuration = Self.configuration(port: service.port, mode: .closed(virtualUsers: 2), duration: .milliseconds(200))
            configuration.warmup = .milliseconds(200)
            let outcome = try await LoadRunner(configuration: configuration).run { _ in }
            #expect(outcome.statistics.answeredIncludingWarmup > outcome.statistics.answered)
            #expect(service.webhooks == outcome.statistics.answeredIncludingWarmup)
        }
    }

    @Test("verification reports accepted deposits the service lost, and the run fails")
    func verificationFindsLosses() async throws {
        try await Self.withService(loseEvery: 5) { service in
            var configuration = Self.configuration(port: service.port, mode: .closed(virtualUsers: 2))
            configuration.verify = true
            let outcome = try await LoadRunner(configuration: configuration).run { _ in }
            let verification = try #require(outcome.verification)
            #expect(verification.missing == service.webhooks / 5)
            #expect(verification.found + verification.missing == verification.checked)
            #expect(!verification.examples.isEmpty)
            #expect(LoadReport(outcome: outcome, label: "t").failed)
        }
    }

    @Test("repeats re-send answered bodies and get the same tx_id")
    func repeats() async throws {
        try await Self.withService { service in
            var configuration = Self.configuration(port: service.port, mode: .closed(virtualUsers: 2))
            configuration.payload.repeatRate = 0.5
            configuration.verify = true
            let outcome = try await LoadRunner(configuration: configuration).run { _ in }
            #expect(outcome.statistics.repeats > 0)
            #expect(outcome.statistics.repeatMismatches == 0)
            #expect(outcome.verification?.checked == service.webhooks - outcome.statistics.repeats)
        }
    }

    @Test("waiting for credits polls each deposit until credited")
    func waitsForCredits() async throws {
        try await Self.withService(pollsBeforeCredit: 2) { service in
            var configuration = Self.configuration(port: service.port, mode: .closed(virtualUsers: 2), duration: .milliseconds(200))
            var watch = LoadConfiguration.CreditWatch()
            watch.pollInterval = .milliseconds(1)
            watch.connections = 2
            watch.maximumRate = 100_000
            configuration.credit = watch
            let outcome = try await LoadRunner(configuration: configuration).run { _ in }
            let credit = try #require(outcome.credit)
            #expect(credit.watched == outcome.statistics.answered)
            #expect(credit.credited == credit.watched)
            #expect(credit.unresolved == 0)
            #expect(credit.polls >= 3 * credit.watched)
            #expect(credit.observed.totalCount == UInt64(credit.credited))
            #expect(credit.stamped.totalCount == UInt64(credit.credited))
        }
    }

    @Test("a target that refuses connections fails the run before it starts")
    func refusedConnection() async throws {
        let port = try await Self.withService { $0.port }  // a port nobody listens on any more
        let configuration = Self.configuration(port: port, mode: .closed(virtualUsers: 1))
        await #expect(throws: LoadError.connectFailed) {
            _ = try await LoadRunner(configuration: configuration).run { _ in }
        }
    }
}
