import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignature(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzEntry.run(start, count, FuzzChecks.signature)
}
