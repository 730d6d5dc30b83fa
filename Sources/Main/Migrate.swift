import ArgumentParser

/// `cricalgo migrate`: applies pending schema migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations and exit.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let startup = try Startup(options: self.options, mode: .worker, listens: false, reportOnStandardOutput: true)
        let applied = try await startup.withStore { store in try await startup.migrateAtStart(store.migrate) }
        print(applied.isEmpty ? "schema up to date" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}
