/// Runs `body`, then `cleanup` whether `body` returned or threw.
///
/// After a successful `body`, an error from `cleanup` is thrown; after a failed one, the
/// cleanup's own error is dropped and the body's error is thrown.
public func withCleanup<Value>(
    _ body: () async throws -> Value,
    cleanup: () async throws -> Void
) async throws -> Value {
    let value: Value
    do {
        value = try await body()
    } catch {
        try? await cleanup()
        throw error
    }
    try await cleanup()
    return value
}
