import Foundation
import Logging
import SpamStore

/// Training runs left marked `running` by a trainer that is gone (killed, crashed, its daemon
/// died): they would refuse every later run. Whoever finds one fails it, with the reason.
public enum AbandonedRuns {
    static let reason = "interrupted: the trainer stopped before the run ended"

    /// Starts a run; a run in the way whose trainer is gone is failed first.
    public static func startExclusive(trigger: String, store: Store, logger: Logger) throws -> TrainingRun {
        do {
            return try store.startTrainingRun(trigger: trigger, exclusive: true)
        } catch StoreError.trainingRunInProgress(let id) where failIfAbandoned(id, store: store, logger: logger) {
            return try store.startTrainingRun(trigger: trigger, exclusive: true)
        }
    }

    /// Fails run `id` if it is running and its trainer is gone. A run without a pid yet is given
    /// a minute: a daemon records its trainer's pid right after starting it.
    @discardableResult
    public static func failIfAbandoned(_ id: TrainingRunID, store: Store, logger: Logger, now: Date = Date()) -> Bool {
        guard let run = try? store.trainingRun(id), run.status == .running else { return false }
        if let pid = run.pid {
            guard !isTrainer(pid: pid, of: id) else { return false }
        } else if now.timeIntervalSince(run.startedAt) < 60 {
            return false
        }
        guard (try? store.failTrainingRun(id, error: reason)) != nil else { return false }
        logger.warning("retrain: marked an interrupted run failed", metadata: ["run": "\(id)"])
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
    public static func recover(_ config: DaemonConfig, store: Store, logger: Logger) {
        do {
            var inProgress = Set<String>()
            for run in try store.trainingRuns(limit: 1000) where run.status == .running {
                if !failIfAbandoned(run.id, store: store, logger: logger, now: .distantFuture) {
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
