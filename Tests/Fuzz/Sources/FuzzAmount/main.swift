import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAmount(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzEntry.run(start, count, FuzzChecks.amount)
}
