import ArgumentParser

/// `cricalgo`: the deposit-webhook service.
@main
struct Cricalgo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cricalgo",
        abstract: "Deposit webhooks recorded durably and credited exactly once.",
        discussion: "Configuration comes from the environment (see README); flags override it.",
        subcommands: [Serve.self, API.self, Worker.self, Migrate.self, Verify.self],
        defaultSubcommand: Serve.self
    )
}
