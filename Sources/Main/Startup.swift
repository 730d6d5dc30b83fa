import Actors
import ArgumentParser
import Foundation
import Logging
import Runtime

/// Reads configuration and sets up logging, or exits 78 naming the bad variable.
struct Startup {
    let configuration: ServiceConfiguration
    let logger: Logger

    /// - Parameters:
    ///   - mode: what runs; the maintenance commands pass `.worker`, as they take no webhooks.
    ///   - listens: the command binds `HOST`, which is then resolved once here.
    ///   - reportOnStandardOutput: the command prints a report on standard output,
    ///     so its logs go to standard error.
    init(options: CommonOptions, mode: ServiceConfiguration.Mode, listens: Bool = true, reportOnStandardOutput: Bool = false) throws {
        let reader = EnvironmentReader(options.environment(), secretNames: ServiceConfiguration.secretVariables)
        do {
            let format = try reader.choice("LOG_FORMAT", default: LogFormat.json)
            let levelText = try reader.string("LOG_LEVEL")?.lowercased() ?? "info"
            guard let level = Logger.Level(rawValue: levelText) else {
                throw RuntimeError(.invalidConfiguration, "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got \"\(levelText)\"")
            }
            self.configuration = try ServiceConfiguration(environment: reader, mode: mode)
            if listens { try self.configuration.checkHostResolves() }
            let output: LogOutput = reportOnStandardOutput ? .standardError : .standardOutput
            LoggingSystem.bootstrap { label in LoggingSetup.makeHandler(label: label, format: format, level: level, output: output) }
            self.logger = Logger(label: "cricalgo")
        } catch {
            throw Self.refusal("\(error)")
        }
    }

    /// Reports a configuration error on standard error; the returned exit code is 78
    /// (EX_CONFIG), so an orchestrator does not restart into the same error.
    static func refusal(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("cricalgo: \(message)\n".utf8))
        return ExitCode(78)
    }
}
