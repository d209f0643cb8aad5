import Foundation
import Logging
import SpamStore

/// Training runs left marked `running` by a trainer that is gone (killed, crashed, its daemon
/// died): they would refuse every later run. Whoever finds one fails it, with the reason.
public enum AbandonedRuns {
    static let reason = "interrupted: the trainer stopped before the run ended"

    /// Starts a run on this node; a run in the way whose trainer is gone is failed first.
    public static func startExclusive(trigger: String, store: any SiftStore, lease: RunLease, logger: Logger) throws -> TrainingRun {
        do {
            return try store.startTrainingRun(trigger: trigger, exclusive: true, node: lease.node)
        } catch StoreError.trainingRunInProgress(let id) where failIfAbandoned(id, store: store, lease: lease, logger: logger) {
            return try store.startTrainingRun(trigger: trigger, exclusive: true, node: lease.node)
        }
    }

    /// Fails run `id` if it is running and its trainer is gone. On this node that is a pid that
    /// is no longer a trainer of the run (a run without a pid yet is given a minute: a daemon
    /// records its trainer's pid right after starting it). A run another node started is gone
    /// when its heartbeat is older than the lease: that node died, or lost the store.
    @discardableResult
    public static func failIfAbandoned(
        _ id: TrainingRunID, store: any SiftStore, lease: RunLease, logger: Logger, now: Date = Date(), atStart: Bool = false
    ) -> Bool {
        guard let run = try? store.trainingRun(id), run.status == .running else { return false }
        if let node = run.node, node != lease.node {
            let lastSign = run.heartbeatAt ?? run.startedAt
            guard now.timeIntervalSince(lastSign) > lease.seconds else { return false }
        } else if let pid = run.pid {
            guard !isTrainer(pid: pid, of: id) else { return false }
        } else if !atStart && now.timeIntervalSince(run.startedAt) < 60 {
            return false
        }
        let reason = run.node.map { $0 == lease.node ? Self.reason : "\(Self.reason) (node \($0) stopped renewing its lease)" } ?? Self.reason
        guard (try? store.failTrainingRun(id, error: reason)) != nil else { return false }
        logger.warning("retrain: marked an interrupted run failed", metadata: ["run": "\(id)", "node": "\(run.node ?? "-")"])
        return true
    }

    /// Whether `pid` is a live `siftd train` of `run` (not some later process that got the pid).
    static func isTrainer(pid: Int32, of run: TrainingRunID) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard arguments.contains("train") else { return false }
        // A hand-started `siftd train` opens its own run and has no --run-id.
        guard let flag = arguments.firstIndex(of: "--run-id") else { return true }
        return flag + 1 < arguments.count && arguments[flag + 1] == "\(run)"
    }

    /// At daemon start, before the model loads (which may fail for want of a model a crashed
    /// cold start did not finish): fails abandoned runs, and deletes the `r<run>` directories
    /// under `models/` that no model is registered for and no live trainer is writing.
    public static func recover(_ config: DaemonConfig, store: any SiftStore, logger: Logger) {
        do {
            var inProgress = Set<String>()
            for run in try store.trainingRuns(limit: 1000) where run.status == .running {
                if !failIfAbandoned(run.id, store: store, lease: RunLease(config), logger: logger, atStart: true) {
                    inProgress.insert(RetrainJob.version(of: run.id))
                }
            }
            let registered = Set(try store.models().map(\.version))
            let directory = URL(fileURLWithPath: config.modelsDirectory)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                // Only what a run writes (r<digits>): anything else there is someone's own file.
                guard name.first == "r", name.count > 1, name.dropFirst().allSatisfy(\.isASCIIDigit),
                      !registered.contains(name), !inProgress.contains(name) else { continue }
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
                logger.warning("retrain: removed a model directory no run registered", metadata: ["version": "\(name)"])
            }
        } catch {
            logger.error("retrain: cannot check for interrupted runs", metadata: ["error": "\(error)"])
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Who may judge a running run abandoned, and how: the node this process speaks for (nil on a
/// store no other node shares) and how long another node's trainer may go without a heartbeat.
public struct RunLease: Sendable, Equatable {
    public var node: String?
    public var seconds: TimeInterval

    public init(node: String?, seconds: TimeInterval) {
        self.node = node
        self.seconds = seconds
    }

    public init(_ config: DaemonConfig) {
        self.init(node: config.store.isShared ? config.store.node : nil, seconds: TimeInterval(config.store.leaseSeconds))
    }

    /// How often a trainer renews its run's heartbeat: several times per lease.
    public var heartbeatInterval: TimeInterval { max(1, seconds / 6) }
}
