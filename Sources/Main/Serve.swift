import ArgumentParser

/// `cricalgo serve` (the default): the ingress and the deposit workers in one process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run ingress and workers (the default).")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await Startup(options: self.options, mode: .serve).runService()
    }
}
