import ArgumentParser

/// `cricalgo api`: the HTTP ingress only; another process runs the workers.
struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api", abstract: "Run the HTTP ingress only.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await Startup(options: self.options, mode: .api).runService()
    }
}
