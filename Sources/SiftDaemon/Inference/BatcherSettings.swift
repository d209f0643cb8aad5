extension Batcher {
    public struct Settings: Sendable, Equatable {
        public var maxBatchSize: Int
        public var maxDelay: Duration
        public var maxBatchTokens: Int
        /// Where a spam probability becomes the answered and stored label (`classify.*`).
        public var thresholds: ClassifyThresholds

        public init(_ config: DaemonConfig.Batching, thresholds: ClassifyThresholds = ClassifyThresholds()) {
            maxBatchSize = config.maxBatchSize
            maxDelay = .milliseconds(config.maxDelayMilliseconds)
            maxBatchTokens = config.maxBatchTokens
            self.thresholds = thresholds
        }

        public init(_ config: DaemonConfig) {
            self.init(config.batching, thresholds: config.classify)
        }
    }
}
