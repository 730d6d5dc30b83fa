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
