import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAdmin(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzEntry.run(start, count, FuzzChecks.admin)
}
