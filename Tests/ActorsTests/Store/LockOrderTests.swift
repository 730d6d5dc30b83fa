@testable import Actors
import Foundation
import TestSupport
import Testing

/// Ingest sorts rows, and workers lock them, in one byte order of the transfer key.
@Suite struct LockOrderTests {
    /// "e" + combining acute and the precomposed "é" are one string to Swift (so `<` sorts
    /// by what follows), but different bytes to PostgreSQL's `COLLATE "C"`.
    static let decomposed = DepositRecord.Key(chain: "bsc", txHash: "e\u{301}x", logIndex: 0)
    static let precomposed = DepositRecord.Key(chain: "bsc", txHash: "\u{E9}a", logIndex: 0)

    @Test func keysSortByTheirUTF8BytesNotByUnicodeOrder() {
        #expect(Self.precomposed < Self.decomposed)
        #expect(Self.decomposed.precedesInByteOrder(Self.precomposed))
        #expect(!Self.precomposed.precedesInByteOrder(Self.decomposed))
        let a = DepositRecord.Key(chain: "bsc", txHash: "0xAB", logIndex: 2)
        let b = DepositRecord.Key(chain: "bsc", txHash: "0xAB", logIndex: 10)
        let c = DepositRecord.Key(chain: "bsc", txHash: "0xab", logIndex: 0)
        let d = DepositRecord.Key(chain: "bsc", txHash: "0xAB_", logIndex: 0)
        let e = DepositRecord.Key(chain: "bsc2", txHash: "0x", logIndex: 0)
        #expect([e, c, d, b, a].sorted { $0.precedesInByteOrder($1) } == [a, b, d, c, e])
        #expect(!a.precedesInByteOrder(a))
    }

    /// The Swift order is the order PostgreSQL's `COLLATE "C"` gives the same strings.
    @Test(.enabled(if: TestBackend.available.contains(.postgres), "needs CRICALGO_TEST_DATABASE_URL"))
    func theSwiftOrderIsPostgresCollateCOrder() async throws {
        let hashes = ["0xab", "0xAB", "0xAB_", "_0x", "0x-1", "0x 1", "e\u{301}x", "\u{E9}a", "Z", "a", "0x0"]
        let keys = hashes.map { DepositRecord.Key(chain: "bsc", txHash: $0, logIndex: 0) }
        let swift = keys.sorted { $0.precedesInByteOrder($1) }.map(\.txHash)
        try await TestDatabase.with(.postgres) { database in
            let literals = hashes.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ")
            let rows = try await database.rows("SELECT h FROM unnest(ARRAY[\(literals)]::text[]) AS x(h) ORDER BY h COLLATE \"C\"")
            let database: [String?] = rows.map { $0.first.flatMap { $0 } }
            #expect(database == swift.map { Optional($0) })
        }
    }
}
