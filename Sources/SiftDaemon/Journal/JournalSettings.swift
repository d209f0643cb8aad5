extension Journal {
    public struct Settings: Sendable {
        public var maxBatch: Int
        public var maxDelay: Duration
        public var idBlock: Int
        public var maxPendingBytes: Int
        /// Replies wait for the commit, which is fsynced (``DaemonConfig/Journal/durable``).
        public var durable: Bool
        /// Answer without storing when the journal cannot take more (never with `durable`).
        public var dropsWhenFull: Bool
        /// Longest wait between two attempts at a batch the store refused.
        public var maxBackoff: Duration = .seconds(5)
        /// At shutdown, attempts at a refused batch before its predictions are given up.
        public var attemptsWhenStopping = 5

        public init(_ config: DaemonConfig.Journal) {
            maxBatch = config.maxBatch
            maxDelay = .milliseconds(config.maxDelayMilliseconds)
            idBlock = config.idBlock
            maxPendingBytes = config.maxPendingBytes
            durable = config.durable
            dropsWhenFull = config.whenFull == .drop && !config.durable
        }
    }
}
