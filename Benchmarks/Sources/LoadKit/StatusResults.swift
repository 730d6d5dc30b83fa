import Histogram

/// Webhook → credited, measured by polling the transaction status route.
public struct CreditStatistics: Sendable {
    /// Accepted deposits watched.
    public var watched = 0
    /// Deposits seen `credited`.
    public var credited = 0
    /// Deposits that ended in another final state (`unmatched`, `failed`, `dead`, or `missing`
    /// for a 404), by state.
    public var otherOutcomes: [String: Int] = [:]
    /// Deposits still not final when the wait ended.
    public var unresolved = 0
    /// Status requests sent.
    public var polls = 0
    /// Status requests that failed or got an unexpected status code.
    public var pollErrors = 0
    /// From the webhook's due time to the poll answer that first showed `credited`, in µs:
    /// an upper bound (it includes up to one poll interval and the poll's round trip).
    public var observed = LoadStatistics.makeHistogram()
    /// From the webhook's due time to the service's `processed_at`, in µs: the worker's own
    /// timestamp, to the millisecond; a lower bound (it excludes the commit of the credit).
    public var stamped = LoadStatistics.makeHistogram()

    public init() {}

    public mutating func merge(_ other: CreditStatistics) {
        self.watched += other.watched
        self.credited += other.credited
        self.otherOutcomes.merge(other.otherOutcomes, uniquingKeysWith: +)
        self.unresolved += other.unresolved
        self.polls += other.polls
        self.pollErrors += other.pollErrors
        self.observed.add(other.observed)
        self.stamped.add(other.stamped)
    }
}

/// The check that every accepted tx_id is in the store.
public struct VerificationResult: Sendable, Codable {
    /// tx_ids fetched.
    public var checked = 0
    /// Found with the tx_hash that was sent.
    public var found = 0
    /// Answered 404: accepted with 202 but not in the store.
    public var missing = 0
    /// Found, but with another tx_hash.
    public var mismatched = 0
    /// Could not be fetched (transport errors or unexpected status codes after retries).
    public var errors = 0
    /// Up to 20 of the missing or mismatched tx_ids, for the operator.
    public var examples: [String] = []

    public init() {}

    /// Every accepted webhook was found as sent.
    public var passed: Bool { self.missing == 0 && self.mismatched == 0 && self.errors == 0 }

    public mutating func merge(_ other: VerificationResult) {
        self.checked += other.checked
        self.found += other.found
        self.missing += other.missing
        self.mismatched += other.mismatched
        self.errors += other.errors
        self.examples = Array((self.examples + other.examples).prefix(20))
    }

    mutating func noteExample(_ txID: String) {
        if self.examples.count < 20 { self.examples.append(txID) }
    }
}
