import Actors
import ArgumentParser
import Foundation
import LoadKit

extension WebhookBench {
    /// Turns the flags into a ``LoadConfiguration``, rejecting contradictions.
    func loadConfiguration() throws -> LoadConfiguration {
        var configuration = LoadConfiguration(target: try TargetURL(parsing: self.url))
        var users: Int?
        var duration: Duration?
        if let name = self.profile {
            guard let profile = LoadProfile(rawValue: name) else {
                throw ValidationError("--profile must be one of: \(LoadProfile.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            users = profile.virtualUsers
            duration = profile.duration
        }
        if let vus = self.vus {
            guard vus > 0 else { throw ValidationError("--vus must be at least 1") }
            users = vus
        }
        if let text = self.duration { duration = try DurationText.parse(text, option: "--duration") }
        configuration.duration = duration ?? .seconds(30)
        guard configuration.duration > .zero else { throw ValidationError("--duration must be positive") }
        if let text = self.rate {
            let digits = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
            guard let rate = Double(digits), rate > 0, rate.isFinite else {
                throw ValidationError("--rate must be a positive number of requests per second")
            }
            configuration.mode = .open(rate: rate, connections: users ?? 100)
        } else {
            configuration.mode = .closed(virtualUsers: users ?? 50)
        }
        configuration.warmup = try DurationText.parse(self.warmup, option: "--warmup")
        configuration.requestTimeout = try DurationText.parse(self.timeout, option: "--timeout")
        guard (1...64).contains(self.threads) else { throw ValidationError("--threads must be 1...64") }
        configuration.threads = self.threads

        guard (0...1).contains(self.repeatRate) else { throw ValidationError("--repeat-rate must be within 0...1") }
        configuration.payload.repeatRate = self.repeatRate
        if let runID = self.runID {
            guard !runID.isEmpty, runID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") }) else {
                throw ValidationError("--run-id must be printable ASCII without spaces or quotes")
            }
            configuration.payload.runID = runID
        }
        if let secret = self.secret {
            let signer = try SignatureVerifier(secret: secret)
            switch self.signatureScheme {
            case "hex": configuration.payload.signing = .hex(signer)
            case "standard": configuration.payload.signing = .standard(signer)
            default: throw ValidationError("--signature-scheme must be hex or standard")
            }
        }
        if let file = self.userIDsFile {
            configuration.payload.userIDs = try Self.readUserIDs(file)
        }

        configuration.adminToken = self.adminToken
        if self.verify || self.waitCredited {
            guard self.adminToken != nil else { throw ValidationError("--verify and --wait-credited need --admin-token") }
        }
        configuration.verify = self.verify
        configuration.verifyConcurrency = max(self.verifyConcurrency, 1)
        if self.waitCredited {
            var watch = LoadConfiguration.CreditWatch()
            watch.pollInterval = try DurationText.parse(self.pollInterval, option: "--poll-interval")
            watch.timeout = try DurationText.parse(self.creditTimeout, option: "--credit-timeout")
            watch.connections = max(self.pollConnections, 1)
            guard self.pollRate > 0 else { throw ValidationError("--poll-rate must be positive") }
            watch.maximumRate = self.pollRate
            configuration.credit = watch
        }
        return configuration
    }

    /// One UUID per line; blank lines and `#` comments are skipped.
    static func readUserIDs(_ path: String) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("--user-ids: cannot read \(path)")
        }
        var ids: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard UUID(uuidString: trimmed) != nil else { throw ValidationError("--user-ids: \(trimmed) is not a UUID") }
            ids.append(trimmed)
        }
        guard !ids.isEmpty else { throw ValidationError("--user-ids: \(path) has no UUIDs") }
        return ids
    }
}
