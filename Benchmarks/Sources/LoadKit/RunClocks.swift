import Foundation
import NIOCore

/// The monotonic and wall clocks read at one instant, to turn a monotonic time into wall-clock
/// time (the service stamps `processed_at` with the wall clock).
public struct RunClocks: Sendable {
    public let monotonicNanoseconds: UInt64
    public let wallMicroseconds: Int64

    public static func now() -> RunClocks {
        RunClocks(
            monotonicNanoseconds: NIODeadline.now().uptimeNanoseconds,
            wallMicroseconds: Int64((Date().timeIntervalSince1970 * 1e6).rounded())
        )
    }

    public init(monotonicNanoseconds: UInt64, wallMicroseconds: Int64) {
        self.monotonicNanoseconds = monotonicNanoseconds
        self.wallMicroseconds = wallMicroseconds
    }

    /// Unix microseconds of a monotonic time.
    public func wallMicroseconds(atMonotonic monotonic: UInt64) -> Int64 {
        self.wallMicroseconds + (Int64(bitPattern: monotonic) - Int64(bitPattern: self.monotonicNanoseconds)) / 1_000
    }
}
