import ArgumentParser

/// `cricalgo worker`: the deposit workers only; the listener serves probes and `/metrics`.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run deposit workers only (probes and /metrics stay served).")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await Startup(options: self.options, mode: .worker).runService()
    }
}
