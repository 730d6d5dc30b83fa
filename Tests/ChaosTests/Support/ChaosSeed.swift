import Foundation
import PropertyBased
import TestSupport

/// The seed of one chaos run: from `CRICALGO_CHAOS_SEED` when set (to replay a failure),
/// else random. It is printed when the run starts and written into its summary.
///
/// The seed fixes every random choice the test makes — kill intervals and victims, which
/// fault-point passes fail, the order and shape of the webhooks — but not how the
/// scheduler interleaves tasks, so a replay repeats the schedule, not every instant.
struct ChaosSeed: Sendable, CustomStringConvertible {
    let value: UInt64

    /// The seed for `run` (named in the printed line), announced on standard output.
    static func announce(_ run: String) -> ChaosSeed {
        let environment = ProcessInfo.processInfo.environment["CRICALGO_CHAOS_SEED"].flatMap { UInt64($0) }
        let seed = ChaosSeed(value: environment ?? UInt64.random(in: 1...UInt64.max))
        print("chaos seed \(seed.value) for \(run) (replay with CRICALGO_CHAOS_SEED=\(seed.value))")
        return seed
    }

    var description: String { "seed \(self.value)" }

    /// An independent generator for one purpose (`"kills"`, `"faults"`, …): the same seed
    /// and stream always give the same sequence.
    func generator(_ stream: String) -> Xoshiro {
        // SplitMix64 spreads one 64-bit seed over the generator's 256 bits of state.
        var mix = SplitMix64(seed: self.value ^ Self.fnv1a(stream))
        return Xoshiro(seed: (mix.next(), mix.next(), mix.next(), mix.next()))
    }

    /// A hash that is the same in every process (Swift's `Hasher` is seeded per process).
    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension RandomNumberGenerator {
    /// A uniformly chosen integer in `range`.
    mutating func pick(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }
}
