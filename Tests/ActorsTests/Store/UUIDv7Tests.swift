import Foundation
import Testing

@testable import Actors

/// The ids of new deposits (``UUIDv7``): valid version-7 UUIDs, each greater than the one
/// before it in one generator, whatever the clock does.
@Suite struct UUIDv7Tests {
    /// The 16 bytes of an id, for comparing ids as PostgreSQL's `uuid` order does.
    private static func bytes(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    private static func ascending(_ ids: [UUID]) -> Bool {
        zip(ids, ids.dropFirst()).allSatisfy { Self.bytes($0).lexicographicallyPrecedes(Self.bytes($1)) }
    }

    @Test func fieldsAreWhereTheFormatPutsThem() {
        let id = UUIDv7.make(milliseconds: 0x0123_4567_89AB, high: 0xCDE, low: 0x0F0F_0F0F_0F0F_0F0F & ((1 << 62) - 1))
        #expect(id.uuidString == "01234567-89AB-7CDE-8F0F-0F0F0F0F0F0F")
        let b = Self.bytes(id)
        #expect(b[6] >> 4 == 0x7, "version 7")
        #expect(b[8] >> 6 == 0b10, "RFC 9562 variant")
    }

    @Test func freshBitsAreMaskedIntoTheirFields() {
        var state = UUIDv7.State()
        let id = state.next(milliseconds: 1_700_000_000_000, random: (.max, .max))
        let b = Self.bytes(id)
        #expect(b[6] >> 4 == 0x7)
        #expect(b[8] >> 6 == 0b10)
        #expect(b.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_700_000_000_000)
        #expect(id == UUIDv7.make(milliseconds: 1_700_000_000_000, high: 0xFFF, low: (1 << 62) - 1))
    }

    @Test func idsInOneMillisecondCountUp() {
        var state = UUIDv7.State()
        let first = state.next(milliseconds: 1000, random: (0x123, 41))
        let second = state.next(milliseconds: 1000, random: (0, 0))
        #expect(second == UUIDv7.make(milliseconds: 1000, high: 0x123, low: 42))
        #expect(Self.ascending([first, second]))
    }

    @Test func aClockSteppingBackDoesNotReorderIds() {
        var state = UUIDv7.State()
        let ids = [
            state.next(milliseconds: 5000, random: (7, 7)),
            state.next(milliseconds: 4000, random: (0, 0)),
            state.next(milliseconds: 5000, random: (0, 0)),
            state.next(milliseconds: 5001, random: (0, 0)),
        ]
        #expect(Self.ascending(ids))
        #expect(ids[1] == UUIDv7.make(milliseconds: 5000, high: 7, low: 8))
    }

    @Test func aFullCounterCarriesIntoRandAThenIntoTheTimestamp() {
        var state = UUIDv7.State()
        let lowMax: UInt64 = (1 << 62) - 1
        let a = state.next(milliseconds: 10, random: (0x00F, .max))
        let b = state.next(milliseconds: 10, random: (0, 0))
        #expect(a == UUIDv7.make(milliseconds: 10, high: 0x00F, low: lowMax))
        #expect(b == UUIDv7.make(milliseconds: 10, high: 0x010, low: 0))

        var full = UUIDv7.State()
        let c = full.next(milliseconds: 10, random: (.max, .max))
        let d = full.next(milliseconds: 10, random: (0, 0))
        #expect(d == UUIDv7.make(milliseconds: 11, high: 0, low: 0))
        #expect(Self.ascending([a, b]) && Self.ascending([c, d]))
    }

    @Test func aGeneratorIsMonotonicAcrossCallsOnAStoppedClock() {
        let generator = UUIDv7.Generator(clock: WallClock { Date(timeIntervalSince1970: 1_700_000_000) })
        var ids = generator.next(500)
        for _ in 0..<100 { ids.append(generator.next()) }
        #expect(Set(ids).count == ids.count)
        #expect(Self.ascending(ids))
        #expect(ids.allSatisfy { Self.bytes($0)[6] >> 4 == 7 && Self.bytes($0)[8] >> 6 == 0b10 })
        // The timestamp field is the clock's milliseconds.
        let milliseconds = Self.bytes(ids[0]).prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_700_000_000_000)
    }
}
