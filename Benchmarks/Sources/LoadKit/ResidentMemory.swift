#if canImport(Glibc)
import Glibc
#endif

/// The resident set size of a process, from `/proc/<pid>/status` (`VmRSS`), Linux only.
public enum ResidentMemory {
    /// Bytes resident now, or nil when the process is gone or `/proc` is unavailable.
    public static func bytes(pid: Int32) -> UInt64? {
        #if os(Linux)
        guard let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:") {
                return Self.parseKilobytes(text).map { $0 * 1_024 }
            }
        }
        return nil
        #else
        return nil
        #endif
    }

    /// `VmRSS:\t  12345 kB` → 12345.
    static func parseKilobytes(_ line: String) -> UInt64? {
        let digits = line.drop(while: { !$0.isNumber }).prefix(while: { $0.isNumber })
        return UInt64(digits)
    }
}

/// The largest resident size seen over a run, sampled once a second.
public struct ResidentMemorySamples: Sendable, Codable {
    public var samples = 0
    public var maximumBytes: UInt64 = 0
    public var lastBytes: UInt64 = 0

    public init() {}

    public mutating func record(_ bytes: UInt64) {
        self.samples += 1
        self.lastBytes = bytes
        self.maximumBytes = max(self.maximumBytes, bytes)
    }
}

/// CPU time a process has used (user + system), from `/proc/<pid>/stat`, Linux only.
public enum ProcessCPU {
    /// Seconds of CPU used so far, or nil when the process is gone or `/proc` is unavailable.
    public static func seconds(pid: Int32) -> Double? {
        #if os(Linux)
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 1_024)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Self.parseStat(text).map { Double($0) / Double(sysconf(Int32(_SC_CLK_TCK))) }
        #else
        return nil
        #endif
    }

    /// utime + stime (fields 14 and 15) in clock ticks; the command name may contain spaces,
    /// so fields are counted after its closing parenthesis.
    static func parseStat(_ line: String) -> UInt64? {
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        // After ")" come field 3 (state) onwards: utime is field 14, i.e. index 11 here.
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return user + system
    }
}

/// The server's CPU time over the measured run.
public struct ServerCPU: Sendable, Codable {
    /// CPU seconds the server used from the start of the load to its end.
    public var seconds: Double
    /// That time divided by the answered requests (warm-up included), in microseconds.
    public var microsecondsPerAnswer: Double

    public init(seconds: Double, microsecondsPerAnswer: Double) {
        self.seconds = seconds
        self.microsecondsPerAnswer = microsecondsPerAnswer
    }
}
