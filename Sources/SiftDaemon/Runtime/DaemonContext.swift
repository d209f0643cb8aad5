import Foundation
import Logging
import SpamStore
import Synchronization

/// The daemon's parts as the operations and connections see them, plus the live config.
public final class DaemonContext: Sendable {
    public let store: any SiftStore
    public let journal: Journal
    public let batcher: Batcher
    public let models: ModelProvider
    public let retraining: RetrainCoordinator
    public let metrics: DaemonMetrics
    public let connections: ConnectionRegistry
    /// Why `health` says `degraded`, if it does.
    public let degraded: DegradedReasons
    let admission: Admission
    /// For what operations record: corrections, labels and forgets at info level.
    public let logger: Logger
    let clock = ContinuousClock()
    let startedAt: ContinuousClock.Instant
    private let liveConfig: Mutex<DaemonConfig>
    private let reloads = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)

    init(
        config: DaemonConfig, store: any SiftStore, journal: Journal, batcher: Batcher, models: ModelProvider, retraining: RetrainCoordinator,
        metrics: DaemonMetrics, reasons: DegradedReasons, logger: Logger
    ) {
        degraded = reasons
        self.retraining = retraining
        self.logger = logger
        self.store = store
        self.journal = journal
        self.batcher = batcher
        self.models = models
        self.metrics = metrics
        connections = ConnectionRegistry(metrics: metrics)
        admission = Admission(metrics: metrics)
        liveConfig = Mutex(config)
        startedAt = clock.now
    }

    /// The config in force: read per request (authorization) or per connection (limits).
    public var config: DaemonConfig { liveConfig.withLock { $0 } }

    func replaceConfig(_ config: DaemonConfig) { liveConfig.withLock { $0 = config } }

    public var reloadCount: Int { reloads.load(ordering: .relaxed) }
    func countReload() { reloads.add(1, ordering: .relaxed) }

    public var isDraining: Bool { draining.load(ordering: .relaxed) }
    func startDraining() { draining.store(true, ordering: .relaxed) }
}
