/// What travels through the sample stream from recorders to the ``MetricsActor``.
///
/// Samples carry the series index, never names, so that recording does no string work and
/// an element stays 32 bytes wide.
enum MetricsMessage: Sendable {
    /// Add `amount` to the counter with this index.
    case increment(index: Int, amount: Int64)
    /// Set the gauge with this index.
    case set(index: Int, value: Double)
    /// Record a latency in the histogram with this index.
    case observe(index: Int, duration: Duration)
    /// A new series; always sent before any sample for it.
    case register(SeriesDescriptor)
    /// Resumed once every message sent before it has been applied (``MetricsActor/flush()``).
    case barrier(CheckedContinuation<Void, Never>)
    /// Ends the ``MetricsActor/run()`` call with this generation; stops of other runs are ignored.
    case stop(generation: UInt64)
}
