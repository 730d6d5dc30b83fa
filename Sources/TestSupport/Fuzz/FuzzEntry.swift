/// The body of every `LLVMFuzzerTestOneInput`: runs one check on the input and turns a
/// violated invariant into a crash, which libFuzzer records as a failing input.
public enum FuzzEntry {
    public static func run(_ start: UnsafeRawPointer, _ count: Int, _ check: ([UInt8]) throws(FuzzFailure) -> Void) -> CInt {
        let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
        do {
            try check(bytes)
        } catch {
            fatalError("fuzz check failed: \(error)")
        }
        return 0
    }
}
