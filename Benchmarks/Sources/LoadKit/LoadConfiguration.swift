/// Everything one run of the harness needs.
public struct LoadConfiguration: Sendable {
    /// The service.
    public var target: TargetURL
    /// Closed or open loop. Default: closed, 50 virtual users.
    public var mode: LoadMode
    /// The measured part of the run. Default 30 s.
    public var duration: Duration
    /// Load applied before measuring, discarded from every figure. Default 0.
    public var warmup: Duration
    /// Event loop threads of the harness. Default 1 (the service and its database share the machine).
    public var threads: Int
    /// A request without a complete answer after this long fails as `timedOut`. Default 10 s.
    public var requestTimeout: Duration
    /// Open loop: a send leaving later than this after its due time counts as late. Default 1 ms.
    public var latenessTolerance: Duration
    /// What is sent.
    public var payload: WebhookPayload.Configuration
    /// The admin bearer token for the status route (verification and credit polling).
    public var adminToken: String?
    /// Fetch every accepted tx_id after the run. Default false.
    public var verify: Bool
    /// Connections used by verification, over all threads. Default 32.
    public var verifyConcurrency: Int
    /// Poll each accepted deposit until it is final and measure webhook → credited. Default nil.
    public var credit: CreditWatch?

    /// How deposits are watched until credited.
    public struct CreditWatch: Sendable {
        /// Time between two polls of the same deposit. Default 10 ms.
        public var pollInterval: Duration
        /// How long after the load ends the harness keeps waiting for deposits. Default 60 s.
        public var timeout: Duration
        /// Polling connections, over all threads. Default 4.
        public var connections: Int
        /// Polls per second at most, over all threads; the `processed_at` figure does not
        /// depend on how soon a poll sees the credit. Default 500.
        public var maximumRate: Double

        public init() {
            self.pollInterval = .milliseconds(10)
            self.timeout = .seconds(60)
            self.connections = 4
            self.maximumRate = 500
        }
    }

    public init(target: TargetURL) {
        self.target = target
        self.mode = .closed(virtualUsers: 50)
        self.duration = .seconds(30)
        self.warmup = .zero
        self.threads = 1
        self.requestTimeout = .seconds(10)
        self.latenessTolerance = .milliseconds(1)
        self.payload = WebhookPayload.Configuration()
        self.adminToken = nil
        self.verify = false
        self.verifyConcurrency = 32
        self.credit = nil
    }

    /// Whether answers must be parsed for their tx_id.
    var collectsTransactionIDs: Bool {
        self.verify || self.credit != nil || self.payload.repeatRate > 0
    }
}
