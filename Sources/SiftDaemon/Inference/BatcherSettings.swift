extension Batcher {
    public struct Settings: Sendable, Equatable {
        public var maxBatchSize: Int
        public var maxDelay: Duration
        public var maxBatchTokens: Int
        /// `batching.cache_entries`: 0 turns the verdict cache off.
        public var cacheEntries: Int
        /// `batching.workers`: read at start only.
        public var workers: Int
        /// `model.threads`: threads of one forward pass, read at start only.
        public var threads: Int
        /// Where a spam probability becomes the answered and stored label (`classify.*`).
        public var thresholds: ClassifyThresholds

        public init(_ config: DaemonConfig.Batching, thresholds: ClassifyThresholds = ClassifyThresholds(), threads: Int = 2) {
            maxBatchSize = config.maxBatchSize
            maxDelay = .milliseconds(config.maxDelayMilliseconds)
            maxBatchTokens = config.maxBatchTokens
            cacheEntries = config.cacheEntries
            workers = config.workers
            self.threads = threads
            self.thresholds = thresholds
        }

        public init(_ config: DaemonConfig) {
            self.init(config.batching, thresholds: config.classify, threads: config.model.threads)
        }
    }
}
