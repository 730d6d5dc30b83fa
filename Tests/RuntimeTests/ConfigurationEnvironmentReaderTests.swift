import Logging
import Testing

@testable import Runtime

extension EnvironmentReader {
    /// A reader that treats the service's secret variables as secret.
    fileprivate init(_ values: [String: String]) {
        self.init(values, secretNames: ["WEBHOOK_SECRET", "ADMIN_TOKEN", "DATABASE_URL"])
    }
}

@Suite("EnvironmentReader")
struct ConfigurationEnvironmentReaderTests {
    /// The description of the error `body` throws.
    private func message<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            _ = try body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return ""
        } catch let error as RuntimeError {
            #expect(error == .invalidConfiguration, sourceLocation: sourceLocation)
            return error.description
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return ""
        }
    }

    // MARK: Defaults and valid values

    @Test("unset, empty and blank variables give the defaults")
    func defaults() throws {
        let environment = EnvironmentReader(["EMPTY": "", "BLANK": "  \t"])
        for name in ["UNSET", "EMPTY", "BLANK"] {
            #expect(try environment.int(name, default: 8000, range: 1...65535) == 8000)
            #expect(try environment.bool(name, default: true) == true)
            #expect(try environment.seconds(name, default: .seconds(30), range: .zero ... .seconds(3600)) == .seconds(30))
            #expect(try environment.milliseconds(name, default: .milliseconds(250), range: .zero ... .seconds(60)) == .milliseconds(250))
            #expect(try environment.choice(name, default: LogFormat.json) == .json)
        }
        #expect(try environment.string("UNSET") == nil)
        #expect(try environment.string("EMPTY") == nil)
        #expect(try environment.string("BLANK") == nil)
        #expect(environment.isSet("EMPTY") && environment.isSet("BLANK") && !environment.isSet("UNSET"))
    }

    @Test("valid values are parsed, surrounding whitespace ignored")
    func validValues() throws {
        let environment = EnvironmentReader([
            "PORT": " 8080 ",
            "DB_POOL_SIZE": "1",
            "DB_POOL_TIMEOUT": "0.5",
            "JOB_LEASE_SECONDS": "30",
            "INGEST_TIMEOUT_MS": "250",
            "FRACTIONAL_MS": "0.25",
            "PRECISE": "1.123456789",
            "LOG_FORMAT": "TEXT",
            "LOG_LEVEL": "Debug",
            "HOST": "0.0.0.0",
        ])
        #expect(try environment.int("PORT", default: 8000, range: 1...65535) == 8080)
        #expect(try environment.int("DB_POOL_SIZE", default: 20, range: 1...1000) == 1)
        #expect(try environment.seconds("DB_POOL_TIMEOUT", default: .seconds(30), range: .zero ... .seconds(3600)) == .milliseconds(500))
        #expect(try environment.seconds("JOB_LEASE_SECONDS", default: .seconds(60), range: .seconds(1) ... .seconds(3600)) == .seconds(30))
        #expect(try environment.milliseconds("INGEST_TIMEOUT_MS", default: .seconds(1), range: .zero ... .seconds(60)) == .milliseconds(250))
        #expect(try environment.milliseconds("FRACTIONAL_MS", default: .zero, range: .zero ... .seconds(1)) == .microseconds(250))
        #expect(try environment.seconds("PRECISE", default: .zero, range: .zero ... .seconds(2)) == .nanoseconds(1_123_456_789))
        #expect(try environment.choice("LOG_FORMAT", default: LogFormat.json) == .text)
        #expect(try environment.choice("LOG_LEVEL", default: Logger.Level.info) == .debug)
        #expect(try environment.string("HOST") == "0.0.0.0")
    }

    @Test(
        "booleans accept true/false, 1/0, yes/no, on/off in any case",
        arguments: [
            ("true", true), ("TRUE", true), ("1", true), ("yes", true), ("On", true),
            ("false", false), ("False", false), ("0", false), ("NO", false), ("off", false),
        ]
    )
    func booleans(_ text: String, _ expected: Bool) throws {
        let environment = EnvironmentReader(["CHAOS_ENABLED": text])
        #expect(try environment.bool("CHAOS_ENABLED", default: !expected) == expected)
    }

    @Test("range bounds are inclusive")
    func inclusiveBounds() throws {
        let environment = EnvironmentReader(["LOW": "1", "HIGH": "65535", "LOW_S": "0.001", "HIGH_S": "3600"])
        #expect(try environment.int("LOW", default: 5, range: 1...65535) == 1)
        #expect(try environment.int("HIGH", default: 5, range: 1...65535) == 65535)
        #expect(try environment.seconds("LOW_S", default: .seconds(1), range: .milliseconds(1) ... .seconds(3600)) == .milliseconds(1))
        #expect(try environment.seconds("HIGH_S", default: .seconds(1), range: .milliseconds(1) ... .seconds(3600)) == .seconds(3600))
    }

    // MARK: Bad values

    @Test("a bad integer names the variable, the range and the value")
    func badIntegers() {
        let environment = EnvironmentReader(["PORT": "abc", "DB_POOL_SIZE": "0", "WORKERS": "1e3", "BIG": "99999999999999999999"])
        #expect(self.message { try environment.int("PORT", default: 8000, range: 1...65535) } == #"invalid configuration: PORT must be an integer in 1...65535, got "abc""#)
        #expect(self.message { try environment.int("DB_POOL_SIZE", default: 20, range: 1...1000) } == #"invalid configuration: DB_POOL_SIZE must be an integer in 1...1000, got "0""#)
        #expect(self.message { try environment.int("WORKERS", default: 8, range: 1...256) } == #"invalid configuration: WORKERS must be an integer in 1...256, got "1e3""#)
        #expect(self.message { try environment.int("BIG", default: 8, range: 1...256) }.hasPrefix("invalid configuration: BIG must be an integer in 1...256, got "))
    }

    @Test("a bad boolean names the variable, the accepted words and the value")
    func badBoolean() {
        let environment = EnvironmentReader(["CHAOS_ENABLED": "maybe"])
        #expect(
            self.message { try environment.bool("CHAOS_ENABLED", default: false) }
                == #"invalid configuration: CHAOS_ENABLED must be a boolean (true/false, 1/0, yes/no, on/off), got "maybe""#
        )
    }

    @Test(
        "a bad number of seconds names the variable, the range and the value",
        arguments: ["abc", "-1", "1.", ".5", "1e3", "30s", "1.2.3", "7200", "0", "99999999999999999999"]
    )
    func badSeconds(_ text: String) {
        let environment = EnvironmentReader(["DB_POOL_TIMEOUT": text])
        #expect(
            self.message { try environment.seconds("DB_POOL_TIMEOUT", default: .seconds(30), range: .milliseconds(1) ... .seconds(3600)) }
                == "invalid configuration: DB_POOL_TIMEOUT must be a number of seconds in 0.001...3600, got \"\(text)\""
        )
    }

    @Test("a bad number of milliseconds names the variable, the range and the value")
    func badMilliseconds() {
        let environment = EnvironmentReader(["INGEST_TIMEOUT_MS": "fast"])
        #expect(
            self.message { try environment.milliseconds("INGEST_TIMEOUT_MS", default: .seconds(1), range: .microseconds(500) ... .seconds(60)) }
                == #"invalid configuration: INGEST_TIMEOUT_MS must be a number of milliseconds in 0.5...60000, got "fast""#
        )
    }

    @Test("a bad choice lists the choices")
    func badChoice() {
        let environment = EnvironmentReader(["LOG_FORMAT": "xml", "LOG_LEVEL": "verbose"])
        #expect(self.message { try environment.choice("LOG_FORMAT", default: LogFormat.json) } == #"invalid configuration: LOG_FORMAT must be one of json, text, got "xml""#)
        #expect(
            self.message { try environment.choice("LOG_LEVEL", default: Logger.Level.info) }
                == #"invalid configuration: LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got "verbose""#
        )
    }

    @Test("a missing required variable is named")
    func missingRequired() throws {
        let environment = EnvironmentReader(["PRESENT": "x", "EMPTY": ""])
        #expect(try environment.requiredString("PRESENT") == "x")
        #expect(self.message { try environment.requiredString("EMPTY") } == "invalid configuration: EMPTY must be set")
    }

    @Test("echoed values are escaped and cut short")
    func echoedValuesAreSafe() {
        let long = String(repeating: "x", count: 100)
        let environment = EnvironmentReader(["NEWLINE": "1\n2\"\\", "LONG": long])
        #expect(self.message { try environment.int("NEWLINE", default: 1, range: 1...2) } == #"invalid configuration: NEWLINE must be an integer in 1...2, got "1\n2\"\\""#)
        #expect(self.message { try environment.int("LONG", default: 1, range: 1...2) }.hasSuffix("got \"\(String(repeating: "x", count: 64))…\""))
    }

    // MARK: Aliases and secrets

    @Test("first(of:) returns the first set alias, earlier names winning")
    func aliases() throws {
        let both = EnvironmentReader(["WORKER_CONCURRENCY": "4", "CELERY_WORKER_CONCURRENCY": "16"])
        let aliasOnly = EnvironmentReader(["WORKER_CONCURRENCY": "", "CELERY_WORKER_CONCURRENCY": "16"])
        let neither = EnvironmentReader([:])

        let first = try #require(try both.first(of: "WORKER_CONCURRENCY", "CELERY_WORKER_CONCURRENCY"))
        #expect(first.name == "WORKER_CONCURRENCY" && first.value == "4")
        let alias = try #require(try aliasOnly.first(of: "WORKER_CONCURRENCY", "CELERY_WORKER_CONCURRENCY"))
        #expect(alias.name == "CELERY_WORKER_CONCURRENCY" && alias.value == "16")
        #expect(try neither.first(of: "WORKER_CONCURRENCY", "CELERY_WORKER_CONCURRENCY") == nil)

        // The error names the variable that was actually set.
        let bad = EnvironmentReader(["CELERY_WORKER_CONCURRENCY": "many"])
        let found = try #require(try bad.first(of: ["WORKER_CONCURRENCY", "CELERY_WORKER_CONCURRENCY"]))
        #expect(
            self.message { try bad.int(found.name, default: 8, range: 1...256) }
                == #"invalid configuration: CELERY_WORKER_CONCURRENCY must be an integer in 1...256, got "many""#
        )
    }

    @Test("secret values are never echoed", arguments: ["WEBHOOK_SECRET", "ADMIN_TOKEN", "DATABASE_URL"])
    func secretsAreNeverEchoed(_ name: String) throws {
        let secret = "postgres://user:hunter2@db/app"
        let environment = EnvironmentReader([name: secret])
        #expect(environment.isSecret(name))
        let messages = [
            self.message { try environment.int(name, default: 1, range: 1...2) },
            self.message { try environment.bool(name, default: false) },
            self.message { try environment.seconds(name, default: .seconds(1), range: .zero ... .seconds(2)) },
            self.message { try environment.milliseconds(name, default: .seconds(1), range: .zero ... .seconds(2)) },
            self.message { try environment.choice(name, default: LogFormat.json) },
        ]
        for message in messages {
            #expect(message.hasPrefix("invalid configuration: \(name) must be "))
            #expect(message.hasSuffix("got a value that is not shown (secret)"))
            #expect(!message.contains("hunter2"))
        }
        #expect(try environment.string(name) == secret)
        let withControl = EnvironmentReader([name: "hunter2\u{7}"])
        #expect(!self.message { try withControl.string(name) }.contains("hunter2"))
    }

    @Test("callers can name their own secrets")
    func customSecrets() {
        let environment = EnvironmentReader(["API_KEY": "k-123", "PORT": "x"], secretNames: ["API_KEY"])
        #expect(environment.isSecret("API_KEY"))
        #expect(!environment.isSecret("WEBHOOK_SECRET"))
        #expect(!self.message { try environment.int("API_KEY", default: 1, range: 1...2) }.contains("k-123"))
        #expect(self.message { try environment.int("PORT", default: 1, range: 1...2) }.hasSuffix(#"got "x""#))
    }

    // MARK: Trimming and control characters

    @Test("every value is trimmed, a secret file's trailing newline included")
    func valuesAreTrimmed() throws {
        let environment = EnvironmentReader(["WEBHOOK_SECRET": "s3cret\n", "HOST": " 127.0.0.1\t", "CRLF": "value\r\n"])
        #expect(try environment.string("WEBHOOK_SECRET") == "s3cret")
        #expect(try environment.string("HOST") == "127.0.0.1")
        #expect(try environment.requiredString("CRLF") == "value")
    }

    @Test("a control character left after trimming is refused, naming the variable", arguments: ["a\nb", "a\u{0}b", "x\u{1B}[31m", "a\u{7F}b", "a\u{85}b"])
    func controlCharactersAreRefused(_ value: String) {
        let environment = EnvironmentReader(["HOST": value, "WORKER_CONCURRENCY": value])
        #expect(self.message { try environment.string("HOST") }.hasPrefix("invalid configuration: HOST must be free of control characters"))
        #expect(self.message { try environment.first(of: "WORKER_CONCURRENCY") }.contains("WORKER_CONCURRENCY"))
    }

    @Test("numbers too large for any type are refused, never trapped on", arguments: [
        "99999999999999999999999999", "9223372036854775807", "9223372036854775808", "18446744073709551616.999999999",
    ])
    func hugeNumbersAreRefused(_ text: String) {
        let environment = EnvironmentReader(["N": text])
        #expect(self.message { try environment.int("N", default: 1, range: 1...65535) }.contains("N must be"))
        #expect(self.message { try environment.seconds("N", default: .seconds(1), range: .zero ... .seconds(86_400)) }.contains("N must be"))
        #expect(self.message { try environment.milliseconds("N", default: .seconds(1), range: .zero ... .seconds(600)) }.contains("N must be"))
    }

    @Test("durations format their range bounds compactly")
    func formatting() {
        #expect(EnvironmentReader.format(.seconds(30), unit: .seconds) == "30")
        #expect(EnvironmentReader.format(.milliseconds(500), unit: .seconds) == "0.5")
        #expect(EnvironmentReader.format(.nanoseconds(1), unit: .seconds) == "0.000000001")
        #expect(EnvironmentReader.format(.microseconds(1_500), unit: .milliseconds) == "1.5")
        #expect(EnvironmentReader.format(.zero, unit: .milliseconds) == "0")
    }
}
