import Foundation
import Logging
import SpamStore
import Synchronization

/// Runs the training runs of one daemon: at most one at a time, each in a child process
/// (``TrainerLauncher``), then swaps in the model a run promoted and prunes old versions.
///
/// The store is the source of truth: a run is marked running in the store before its child
/// starts (so a second daemon or a hand-started `siftd train` is refused too), the child ends
/// it, and if the child dies first this marks it failed. The served model changes only after
/// the child's commit, by reloading the registry's active model between batches.
public final class RetrainCoordinator: Sendable {
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// Another run is under way (this daemon's or another process's).
        case running(TrainingRunID)
        case unavailable(String)

        public var description: String {
            switch self {
            case let .running(id): "training run \(id) is still running; try again when it has finished (sift models shows it)"
            case let .unavailable(why): why
            }
        }
    }

    private struct Current {
        var run: TrainingRunID
        var process: TrainerProcess
        var finished: Task<TrainingRun?, Never>
    }

    private let store: any SiftStore
    private let models: ModelProvider
    private let launcher: TrainerLauncher?
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let current = Mutex<Current?>(nil)
    private let stopping = Atomic<Bool>(false)

    public init(store: any SiftStore, models: ModelProvider, launcher: TrainerLauncher?, metrics: DaemonMetrics, logger: Logger) {
        self.store = store
        self.models = models
        self.launcher = launcher
        self.metrics = metrics
        self.logger = logger
    }

    /// The run in progress in this daemon, if any.
    public var runningRun: TrainingRunID? { current.withLock { $0?.run } }

    /// Starts a run now. Returns at once with the run as recorded; ``wait(for:)`` follows it.
    public func start(trigger: String, config: DaemonConfig) throws(Refusal) -> TrainingRun {
        guard let launcher else { throw .unavailable("this daemon cannot start a trainer (no trainer executable)") }
        return try current.withLock { current throws(Refusal) -> TrainingRun in
            // Checked under the lock that ``stop(grace:)`` takes to set it: no trainer starts after.
            guard !stopping.load(ordering: .relaxed) else { throw .unavailable("the daemon is shutting down") }
            if let current { throw .running(current.run) }
            let run: TrainingRun
            do {
                run = try AbandonedRuns.startExclusive(trigger: trigger, store: store, lease: RunLease(config), logger: logger)
            } catch StoreError.trainingRunInProgress(let id) {
                throw .running(id)
            } catch {
                throw .unavailable("cannot record a training run: \(error)")
            }
            let process: TrainerProcess
            do {
                process = try launcher.launch(run: run.id)
            } catch {
                _ = try? store.failTrainingRun(run.id, error: "the trainer could not be started: \(error)")
                throw .unavailable("cannot start the trainer \(launcher.executable.path): \(error)")
            }
            try? store.updateTrainingRun(run.id, pid: process.pid)
            logger.info("retrain: started", metadata: ["run": "\(run.id)", "trigger": "\(trigger)", "pid": "\(process.pid)"])
            let finished = Task { await self.follow(run.id, process: process, config: config) }
            current = Current(run: run.id, process: process, finished: finished)
            return run
        }
    }

    /// The run as it ended, once it has (nil if it is not this daemon's current run or the store cannot say).
    public func wait(for run: TrainingRunID) async -> TrainingRun? {
        let task = current.withLock { $0?.run == run ? $0?.finished : nil }
        if let task { return await task.value }
        return try? store.trainingRun(run)
    }

    /// At shutdown: stop a running trainer (SIGTERM, then SIGKILL after `grace`) and record its run failed.
    public func stop(grace: Duration = .seconds(10)) async {
        let running = current.withLock { current in
            stopping.store(true, ordering: .relaxed)
            return current
        }
        guard let running else { return }
        logger.info("retrain: stopping the trainer for shutdown", metadata: ["run": "\(running.run)"])
        running.process.signal(SIGTERM)
        let killer = Task {
            try await Task.sleep(for: grace)
            running.process.signal(SIGKILL)
        }
        _ = await running.finished.value
        killer.cancel()
    }

    /// Waits for the child, with the configured timeout; records what happened; swaps in a promoted model.
    private func follow(_ run: TrainingRunID, process: TrainerProcess, config: DaemonConfig) async -> TrainingRun? {
        let timeout = Task {
            try await Task.sleep(for: .seconds(config.retrain.timeoutSeconds))
            logger.error("retrain: the trainer ran past retrain.timeout; killing it", metadata: ["run": "\(run)"])
            process.signal(SIGKILL)
        }
        let exit = await process.waitForExit()
        timeout.cancel()
        var ended = try? store.trainingRun(run)
        if ended?.status == .running {
            let reason = stopping.load(ordering: .relaxed) ? "stopped: the daemon shut down" : "the trainer \(exit) before the run ended"
            ended = try? store.failTrainingRun(run, error: reason)
        }
        if ended?.status == .failed, (try? store.model(version: RetrainJob.version(of: run))) == nil {
            // What a trainer killed while writing left behind.
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: config.modelsDirectory)
                .appendingPathComponent(RetrainJob.version(of: run)).path)
        }
        switch ended?.status {
        case .succeeded?:
            let report = ended?.metricsJSON.flatMap(RetrainReport.decode)
            let result = report?.promoted == true ? "promoted" : report?.decision == .inconclusive ? "inconclusive" : "rejected"
            logger.info("retrain: run succeeded", metadata: ["run": "\(run)", "result": "\(result)"])
            metrics.retrainRuns(result).increment()
        case .failed?:
            logger.error("retrain: run failed", metadata: ["run": "\(run)", "error": "\(ended?.error ?? "?")"])
            metrics.retrainRuns("failed").increment()
        default:
            logger.error("retrain: cannot read the run's outcome", metadata: ["run": "\(run)"])
        }
        if let ended, let finished = ended.finishedAt {
            metrics.retrainSeconds.set(finished.timeIntervalSince(ended.startedAt))
        }
        await swapInActiveModel(config)
        prune(config)
        current.withLock { $0 = nil }
        return ended
    }

    public enum SwapResult: Sendable {
        /// The registry's active model serves now (it was loaded and swapped in).
        case swapped(String)
        /// It was serving already, or the registry has no active model.
        case unchanged
        /// It does not load; the model that served before still does.
        case failed(String)
    }

    /// Loads the registry's active model if it is not the one serving (a promotion, or a
    /// rollback), and swaps it in between batches. Reloads take turns (see ``ModelProvider``).
    @discardableResult
    public func swapInActiveModel(_ config: DaemonConfig) async -> SwapResult {
        let (models, store) = (self.models, self.store)
        do {
            let loaded = try await BlockingWork.run(on: BlockingWork.models) {
                try models.reload(config) { current in
                    guard let active = try store.activeModel() else { return false }
                    return active.version != current.version
                }
            }
            guard let loaded else { return .unchanged }
            metrics.modelSwaps.increment()
            logger.info("retrain: now serving", metadata: ["model": "\(loaded.version)"])
            return .swapped(loaded.version)
        } catch {
            logger.error("retrain: the active model does not load; still serving the old one",
                         metadata: ["model": "\(models.current.version)", "error": "\(error)"])
            return .failed("\(error)")
        }
    }

    /// Deletes the files of all but the newest `retrain.keep_models` models besides the active one.
    public func prune(_ config: DaemonConfig) {
        let managed = URL(fileURLWithPath: config.modelsDirectory).standardizedFileURL.path + "/"
        do {
            for record in try store.modelsToPrune(keep: config.retrain.keepModels) where record.status != .active {
                let path = URL(fileURLWithPath: record.path).standardizedFileURL.path
                // Marked first: its transaction refuses a model a rollback has just made active.
                try store.markPruned(record.version)
                // Only what the daemon wrote: a model registered by hand elsewhere keeps its files.
                if path.hasPrefix(managed) { try? FileManager.default.removeItem(atPath: path) }
                logger.info("retrain: pruned", metadata: ["model": "\(record.version)"])
            }
        } catch {
            logger.error("retrain: pruning failed", metadata: ["error": "\(error)"])
        }
    }
}
