/// Capped exponential backoff with random jitter.
///
/// The delay before attempt `n` (1-based: the first retry is attempt 1) is
/// `min(maximum, minimum * multiplier^(n-1))`, then spread by up to `±jitter` of itself,
/// and never below zero or above `maximum`. With the supervisor's defaults
/// (minimum 10 ms, maximum 5 s, multiplier 2, jitter 0.2):
///
/// | attempt | base delay | with jitter        |
/// |--------:|-----------:|--------------------|
/// |       1 |      10 ms | 8 ms – 12 ms       |
/// |       2 |      20 ms | 16 ms – 24 ms      |
/// |       3 |      40 ms | 32 ms – 48 ms      |
/// |       5 |     160 ms | 128 ms – 192 ms    |
/// |       8 |    1.28 s  | 1.02 s – 1.54 s    |
/// |      10 |    5 s     | 4 s – 5 s (capped) |
///
/// Jitter keeps many clients that failed together from retrying together.
public struct Backoff: Sendable, Hashable {
    /// The delay before the first retry.
    public var minimum: Duration
    /// The largest delay ever returned.
    public var maximum: Duration
    /// How much the base delay grows per attempt.
    public var multiplier: Double
    /// The fraction of the delay that is randomised, in `0...1`.
    public var jitter: Double

    public init(
        minimum: Duration = .milliseconds(10),
        maximum: Duration = .seconds(5),
        multiplier: Double = 2,
        jitter: Double = 0.2
    ) {
        precondition(minimum >= .zero && maximum >= minimum, "backoff bounds must satisfy 0 <= minimum <= maximum")
        precondition(multiplier >= 1, "backoff multiplier must be at least 1")
        precondition((0...1).contains(jitter), "backoff jitter must be within 0...1")
        self.minimum = minimum
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The delay before the given attempt, without jitter.
    public func baseDelay(attempt: Int) -> Duration {
        let exponent = Double(max(attempt, 1) - 1)
        let minimumNanos = Double(self.minimum.nanoseconds)
        let maximumNanos = Double(self.maximum.nanoseconds)
        let nanos = min(maximumNanos, minimumNanos * pow(self.multiplier, exponent))
        return .nanoseconds(Int64(nanos))
    }

    /// The delay before the given attempt, with jitter drawn from `generator`.
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let base = Double(self.baseDelay(attempt: attempt).nanoseconds)
        let spread = base * self.jitter
        let jittered = spread > 0 ? base + Double.random(in: -spread...spread, using: &generator) : base
        let capped = min(max(jittered, 0), Double(self.maximum.nanoseconds))
        return .nanoseconds(Int64(capped))
    }

    /// The delay before the given attempt, with jitter from the system generator.
    public func delay(attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return self.delay(attempt: attempt, using: &generator)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
