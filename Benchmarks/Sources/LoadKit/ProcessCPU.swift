#if canImport(Glibc)
import Glibc
#endif

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
