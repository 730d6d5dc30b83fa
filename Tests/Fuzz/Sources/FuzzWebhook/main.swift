import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhook(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzEntry.run(start, count, FuzzChecks.webhook)
}
