import Foundation
import Testing

@testable import Actors
import TestSupport

/// New deposits get time-ordered ids (``UUIDv7``) on both stores, so the primary key's index
/// grows at its end; the wire format is an ordinary UUID.
@Suite(.timeLimit(.minutes(2))) struct StoreTimeOrderedIDTests {
    @Test(arguments: TestBackend.available)
    func newDepositsGetVersion7IdsInAscendingOrder(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                var ids: [UUID] = []
                for batch in 0..<3 {
                    let records = (0..<3).map { index in
                        record("ordered-\(batch)-\(index)", amount: "1.\(index)", confirmations: index.isMultiple(of: 2) ? 12 : 1)
                    }
                    ids += try await store.ingest(records, confirmationThreshold: 12).map(\.txID)
                }
                #expect(Set(ids).count == 9)
                let bytes = ids.map { id in withUnsafeBytes(of: id.uuid) { Array($0) } }
                #expect(bytes.allSatisfy { $0[6] >> 4 == 7 && $0[8] >> 6 == 0b10 }, "version 7, RFC 9562 variant")
                #expect(zip(bytes, bytes.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) }, "each id above the one before")
            }
        }
    }
}
