import Testing

@testable import Actors

/// The primitives the rules are rendered through, in each dialect.
@Suite struct SQLDialectTests {
    @Test func eachDialectSpellsThePrimitivesItsOwnWay() {
        #expect(SQLDialect.postgres.parameter(2) == "$2")
        #expect(SQLDialect.sqlite.parameter(2) == "?2")
        #expect(SQLDialect.postgres.greatest("a", "b") == "GREATEST(a, b)")
        #expect(SQLDialect.sqlite.greatest("a", "b") == "max(a, b)")
        #expect(SQLDialect.postgres.isNotDistinct("a", "b") == "a IS NOT DISTINCT FROM b")
        #expect(SQLDialect.sqlite.isNotDistinct("a", "b") == "a IS b")
        #expect(SQLDialect.postgres.isDistinct("a", "b") == "a IS DISTINCT FROM b")
        #expect(SQLDialect.sqlite.isDistinct("a", "b") == "a IS NOT b")
        #expect(SQLDialect.postgres.text("id") == "id::text")
        #expect(SQLDialect.sqlite.text("id") == "id")
        #expect(SQLDialect.postgres.now == "now()")
        #expect(SQLDialect.sqlite.now == SQLiteStore.databaseNow)
    }

    @Test func literalsDoubleTheirQuotes() {
        #expect(SQLDialect.literal("it's") == "'it''s'")
        #expect(SQLDialect.list(["a", "b"]) == "('a', 'b')")
    }
}
