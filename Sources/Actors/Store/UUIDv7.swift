import Foundation
import Synchronization

/// Time-ordered ids for new deposits (RFC 9562 version 7): 48 bits of Unix milliseconds,
/// then 74 bits that are random for the first id of a millisecond and counted up by one
/// for each later id, so a store's new `tx_id`s sort in the order they were made and its
/// primary-key index grows at its right edge instead of splitting pages everywhere.
///
/// On the wire a `tx_id` is still an ordinary UUID; only its bits are chosen differently.
///
/// Layout (most significant bit first):
///
/// | bits | field |
/// |---|---|
/// | 48 | `unix_ts_ms` |
/// | 4 | version, `0b0111` |
/// | 12 | `rand_a` (high part of the counter) |
/// | 2 | variant, `0b10` |
/// | 62 | `rand_b` (low part of the counter) |
enum UUIDv7 {
    /// The decisions of the generator, with the clock and the randomness given to it.
    ///
    /// Legal transitions: an id in a later millisecond than the last one starts from fresh
    /// random bits; an id in the same or an earlier millisecond (the clock stepped back)
    /// is the last one plus one, the counter carrying into the timestamp when it overflows.
    /// So every id is greater than the previous one.
    struct State: Sendable {
        /// Milliseconds of the last id.
        private(set) var milliseconds: UInt64 = 0
        /// The 74 counter bits of the last id: `rand_a` (12) above `rand_b` (62).
        private(set) var counterHigh: UInt16 = 0
        private(set) var counterLow: UInt64 = 0
        private var started = false

        static let maximumMilliseconds: UInt64 = (1 << 48) - 1
        static let lowMask: UInt64 = (1 << 62) - 1
        static let highMask: UInt16 = (1 << 12) - 1

        init() {}

        /// The next id at `milliseconds` (Unix time), with `random` as the fresh bits when
        /// a new millisecond begins (its low 74 bits are used).
        mutating func next(milliseconds: UInt64, random: (high: UInt16, low: UInt64)) -> UUID {
            let now = min(milliseconds, Self.maximumMilliseconds)
            if !self.started || now > self.milliseconds {
                self.started = true
                self.milliseconds = now
                self.counterHigh = random.high & Self.highMask
                self.counterLow = random.low & Self.lowMask
            } else if self.counterLow < Self.lowMask {
                self.counterLow += 1
            } else if self.counterHigh < Self.highMask {
                self.counterLow = 0
                self.counterHigh += 1
            } else {
                // 2^74 ids in one millisecond: borrow the next millisecond.
                self.milliseconds = min(self.milliseconds + 1, Self.maximumMilliseconds)
                self.counterHigh = 0
                self.counterLow = 0
            }
            return UUIDv7.make(milliseconds: self.milliseconds, high: self.counterHigh, low: self.counterLow)
        }
    }

    /// A thread-safe source of ids, one per store: monotonic across all its callers.
    final class Generator: Sendable {
        private let clock: WallClock
        private let state = Mutex(State())

        init(clock: WallClock = .system) {
            self.clock = clock
        }

        /// `count` new ids, each greater than every id this generator made before.
        func next(_ count: Int) -> [UUID] {
            let milliseconds = UInt64(max(0, self.clock.now().unixMilliseconds))
            var random = SystemRandomNumberGenerator()
            return self.state.withLock { state in
                (0..<count).map { _ in
                    state.next(milliseconds: milliseconds, random: (random.next(), random.next()))
                }
            }
        }

        func next() -> UUID { self.next(1)[0] }
    }

    /// The id with these fields, version and variant bits set.
    static func make(milliseconds: UInt64, high: UInt16, low: UInt64) -> UUID {
        let ms = milliseconds & State.maximumMilliseconds
        let a = UInt16(0x7000) | (high & State.highMask)
        let b = (UInt64(0b10) << 62) | (low & State.lowMask)
        return UUID(uuid: (
            UInt8(truncatingIfNeeded: ms >> 40), UInt8(truncatingIfNeeded: ms >> 32),
            UInt8(truncatingIfNeeded: ms >> 24), UInt8(truncatingIfNeeded: ms >> 16),
            UInt8(truncatingIfNeeded: ms >> 8), UInt8(truncatingIfNeeded: ms),
            UInt8(truncatingIfNeeded: a >> 8), UInt8(truncatingIfNeeded: a),
            UInt8(truncatingIfNeeded: b >> 56), UInt8(truncatingIfNeeded: b >> 48),
            UInt8(truncatingIfNeeded: b >> 40), UInt8(truncatingIfNeeded: b >> 32),
            UInt8(truncatingIfNeeded: b >> 24), UInt8(truncatingIfNeeded: b >> 16),
            UInt8(truncatingIfNeeded: b >> 8), UInt8(truncatingIfNeeded: b)
        ))
    }
}
