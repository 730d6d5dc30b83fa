import NIOCore
import NIOPosix

/// What a run produced, before it is turned into a report.
public struct LoadOutcome: Sendable {
    public var configuration: LoadConfiguration
    public var statistics: LoadStatistics
    /// Seconds from the first measured due time to the last measured answer.
    public var measuredSeconds: Double
    public var credit: CreditStatistics?
    public var verification: VerificationResult?
    public var residentMemory: ResidentMemorySamples?
    /// The server's CPU time while the load ran (with `serverPID`).
    public var serverCPU: ServerCPU?
}

/// One line of progress, once a second.
public struct LoadProgress: Sendable {
    /// Seconds since the load started (warm-up included).
    public var elapsed: Double
    public var warmingUp: Bool
    /// Answers per second over the last interval.
    public var answersPerSecond: Double
    /// Measured p99 so far, in milliseconds.
    public var p99Milliseconds: Double
    public var errors: Int
    public var inFlight: Int
    public var backlog: Int
    public var creditPending: Int
    public var residentBytes: UInt64?
}

/// Runs a load against the target: connects, paces, reports progress, drains, verifies.
public struct LoadRunner: Sendable {
    public let configuration: LoadConfiguration
    /// The service's process id, to sample its resident memory each second.
    public var serverPID: Int32?

    public init(configuration: LoadConfiguration, serverPID: Int32? = nil) {
        self.configuration = configuration
        self.serverPID = serverPID
    }

    public func run(progress: @escaping @Sendable (LoadProgress) -> Void) async throws -> LoadOutcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(self.configuration.threads, 1))
        do {
            let outcome = try await self.run(on: group, progress: progress)
            try await group.shutdownGracefully()
            return outcome
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func run(on group: MultiThreadedEventLoopGroup, progress: @escaping @Sendable (LoadProgress) -> Void) async throws -> LoadOutcome {
        let threads = max(self.configuration.threads, 1)
        let loops = Array(group.makeIterator().prefix(threads))
        // Connecting happens before `start`, so connection set-up is never measured.
        let clocks = RunClocks.now()
        let start = clocks.monotonicNanoseconds + 500_000_000
        let measureStart = start + UInt64(self.configuration.warmup.nanosecondsValue)
        let end = measureStart + UInt64(self.configuration.duration.nanosecondsValue)
        var created: [NIOLoopBound<LoopWorker>] = []
        for (index, loop) in loops.enumerated() {
            let plan = LoopPlan(
                index: index, threads: threads, configuration: self.configuration,
                start: start, measureStart: measureStart, end: end, clocks: clocks
            )
            created.append(try await loop.submit { NIOLoopBound(LoopWorker(plan: plan, eventLoop: loop), eventLoop: loop) }.get())
        }
        let workers = created
        _ = try await workers.map { worker in worker.eventLoop.flatSubmit { worker.value.connectAll() } }.asyncAll()
        guard NIODeadline.now().uptimeNanoseconds < start else {
            throw LoadError.connectFailed.with("opening \(self.configuration.mode.connections) connections took longer than 500 ms")
        }
        let cpuBefore = self.serverPID.flatMap(ProcessCPU.seconds(pid:))
        let finished = workers.map { worker in worker.eventLoop.flatSubmit { worker.value.start() } }

        let memory = try await withThrowingTaskGroup(of: ResidentMemorySamples?.self) { tasks in
            tasks.addTask {
                _ = try await finished.asyncAll()
                return nil
            }
            tasks.addTask {
                try await self.reportProgress(workers: workers, start: start, measureStart: measureStart, progress: progress)
            }
            _ = try await tasks.next()
            tasks.cancelAll()
            var samples: ResidentMemorySamples?
            while let result = try await tasks.next() {
                if let result { samples = result }
            }
            return samples
        }

        let results = try await workers.map { worker in
            worker.eventLoop.submit { (worker.value.statistics, worker.value.credit?.credit) }
        }.asyncAll()
        var statistics = LoadStatistics()
        var credit: CreditStatistics? = self.configuration.credit == nil ? nil : CreditStatistics()
        for (loopStatistics, loopCredit) in results {
            statistics.merge(loopStatistics)
            if let loopCredit { credit?.merge(loopCredit) }
        }

        var serverCPU: ServerCPU?
        if let before = cpuBefore, let after = self.serverPID.flatMap(ProcessCPU.seconds(pid:)), statistics.answeredIncludingWarmup > 0 {
            let seconds = after - before
            serverCPU = ServerCPU(seconds: seconds, microsecondsPerAnswer: seconds * 1e6 / Double(statistics.answeredIncludingWarmup))
        }

        var verification: VerificationResult?
        if self.configuration.verify {
            let perLoop = max(self.configuration.verifyConcurrency / threads, 1)
            _ = try await workers.map { worker in worker.eventLoop.flatSubmit { worker.value.verify(connections: perLoop) } }.asyncAll()
            let parts = try await workers.map { worker in worker.eventLoop.submit { worker.value.verification } }.asyncAll()
            var merged = VerificationResult()
            for part in parts { merged.merge(part) }
            verification = merged
        }

        let nominal = self.configuration.duration.milliseconds / 1_000
        let measured = statistics.lastMeasuredAnswer > statistics.firstMeasuredSend
            ? Double(statistics.lastMeasuredAnswer - statistics.firstMeasuredSend) / 1e9
            : nominal
        return LoadOutcome(
            configuration: self.configuration,
            statistics: statistics,
            measuredSeconds: max(measured, nominal),
            credit: credit,
            verification: verification,
            residentMemory: memory,
            serverCPU: serverCPU
        )
    }

    /// Reports progress once a second and samples the server's memory until cancelled; returns
    /// the memory samples (nil without a server pid).
    private func reportProgress(
        workers: [NIOLoopBound<LoopWorker>],
        start: UInt64,
        measureStart: UInt64,
        progress: @Sendable (LoadProgress) -> Void
    ) async throws -> ResidentMemorySamples? {
        var memory = self.serverPID.map { _ in ResidentMemorySamples() }
        var previous = 0
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                break
            }
            let snapshots = try await workers.map { worker in worker.eventLoop.submit { worker.value.snapshot() } }.asyncAll()
            var merged = LoadStatistics()
            for snapshot in snapshots { merged.merge(snapshot.statistics) }
            let resident = self.serverPID.flatMap(ResidentMemory.bytes(pid:))
            if let resident { memory?.record(resident) }
            let now = NIODeadline.now().uptimeNanoseconds
            progress(
                LoadProgress(
                    elapsed: Double(now > start ? now - start : 0) / 1e9,
                    warmingUp: now < measureStart,
                    answersPerSecond: Double(merged.answeredIncludingWarmup - previous),
                    p99Milliseconds: Double(merged.latency.valueAtPercentile(99)) / 1_000,
                    errors: merged.errors,
                    inFlight: snapshots.map(\.inFlight).reduce(0, +),
                    backlog: snapshots.map(\.backlog).reduce(0, +),
                    creditPending: snapshots.map(\.creditPending).reduce(0, +),
                    residentBytes: resident
                )
            )
            previous = merged.answeredIncludingWarmup
        }
        return memory
    }
}

extension Array {
    /// Awaits every future, in order.
    func asyncAll<Value: Sendable>() async throws -> [Value] where Element == EventLoopFuture<Value> {
        var values: [Value] = []
        values.reserveCapacity(self.count)
        for future in self { values.append(try await future.get()) }
        return values
    }
}
