extension Batcher {
    public struct Settings: Sendable, Equatable {
        public var maxBatchSize: Int
        public var maxDelay: Duration
        public var maxBatchTokens: Int

        public init(_ config: DaemonConfig.Batching) {
            maxBatchSize = config.maxBatchSize
            maxDelay = .milliseconds(config.maxDelayMilliseconds)
            maxBatchTokens = config.maxBatchTokens
        }
    }
}
