import ArgumentParser
import Foundation
import Logging
import SiftDaemon
import SiftSystemd
import SpamStore

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Run one training run: retrain from the collected labels, gate, and promote or reject.",
        discussion: """
            Reads the same configuration as the daemon (pass the same --config and options). \
            Trains on the store's current labels plus a replay of retrain.seed_data, warm-starting \
            from the serving classifier; with none, it trains a first classifier from the base \
            model and the seed data (a cold start). The candidate is scored against the active \
            model on the holdout and registered as active (promoted) or rejected, with its scores.

            The daemon runs this itself (with --run-id) for every retrain. By hand, use it for the \
            cold start before the first `siftd serve`, or while the daemon is stopped; a running \
            daemon picks up a model promoted this way on SIGHUP or at its next retrain.interval tick.

            Runs at the nice value retrain.nice (19 also means SCHED_IDLE) with retrain.threads \
            OpenBLAS threads. Exit status: 0 when the run ended (promoted or rejected), 75 when \
            another run is in progress, 78 for a bad configuration or no base model, 1 when the run failed (the \
            reason is recorded with the run).
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: .hidden) var runID: Int64?
    @Option(help: .hidden) var parentPID: Int32?

    func run() async throws {
        let config = try await options.load()
        SiftLogging.bootstrap(level: Logger.Level(rawValue: config.logLevel) ?? .info)
        let logger = Logger(label: "siftd-train")
        do {
            _ = try config.requireBaseModelDirectory()
        } catch let error as DaemonConfigError {
            MissingModelHint.report(error, config: config, command: "siftd train")
            throw ExitCode(78)
        }
        IdlePriority.apply(nice: config.retrain.nice, logger: logger)

        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        let store = try StoreOpener.open(config)
        let run: TrainingRunID
        if let runID {
            guard try store.trainingRun(runID)?.status == .running else {
                FileHandle.standardError.write(Data("siftd train: run \(runID) is not running (it ended, or a restarted daemon failed it)\n".utf8))
                throw ExitCode.failure
            }
            run = runID
        } else {
            do {
                run = try AbandonedRuns.startExclusive(trigger: "manual", store: store, lease: RunLease(config), logger: logger).id
            } catch let error as StoreError {
                FileHandle.standardError.write(Data("siftd train: \(error)\n".utf8))
                if case .trainingRunInProgress = error { throw ExitCode(75) }  // EX_TEMPFAIL: try later
                throw ExitCode.failure
            }
        }
        try store.updateTrainingRun(run, pid: getpid())
        StopSignals.failRunOnStop(store: store, run: run)
        if let parentPID { ParentWatch.start(parent: parentPID, store: store, run: run) }
        RunHeartbeat.start(store: store, run: run, every: RunLease(config).heartbeatInterval)

        do {
            let outcome = try RetrainJob(config: config, store: store, run: run, logger: logger).execute()
            print("\(outcome.version) \(outcome.promoted ? "promoted" : outcome.decision == .reject ? "rejected" : "inconclusive (not promoted)") after \(String(format: "%.1f", outcome.seconds)) s")
            for reason in outcome.reasons { print("  \(reason)") }
        } catch {
            _ = try? store.failTrainingRun(run, error: "\(error)")
            FileHandle.standardError.write(Data("siftd train: run \(run) failed: \(error)\n".utf8))
            try? store.close()
            throw ExitCode.failure
        }
        try store.close()
    }
}

/// Training must not take the CPU from classification: a low priority, and on Linux SCHED_IDLE
/// at nice 19 (the trainer gets only what the daemon leaves). On Linux both are per thread, and
/// OpenBLAS starts its threads when it loads: every thread so far is set, and later ones inherit.
enum IdlePriority {
    /// linux/sched.h's SCHED_IDLE, which Glibc's module does not export (it is behind _GNU_SOURCE).
    static let schedIdle: Int32 = 5

    static func apply(nice: Int, logger: Logger) {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var failures = 0
        for tid in tasks.compactMap({ id_t($0) }) {
            if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, Int32(nice)) != 0 { failures += 1 }
            if nice >= 19 {
                var parameter = sched_param(sched_priority: 0)
                if sched_setscheduler(pid_t(tid), schedIdle, &parameter) != 0 { failures += 1 }
            }
        }
        if failures > 0 || tasks.isEmpty {
            logger.warning("cannot lower the trainer's priority on every thread", metadata: ["failures": "\(failures)"])
        }
    }
}

/// SIGTERM or SIGINT (Ctrl-C on a hand-started run, the daemon stopping for shutdown) ends the
/// run as failed, with the reason, before the process goes: a run never stays `running` for a
/// trainer that is gone.
enum StopSignals {
    static func failRunOnStop(store: any SiftStore, run: TrainingRunID) {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                _ = try? store.failTrainingRun(run, error: "stopped by \(signalNumber == SIGTERM ? "SIGTERM" : "SIGINT")")
                _exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Kept alive for the life of the process.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}

/// A trainer whose daemon died stops too, and says why in its run: a run must not promote on
/// behalf of a daemon that is gone (the next daemon start would find it anyway).
enum ParentWatch {
    static func start(parent: Int32, store: any SiftStore, run: TrainingRunID) {
        let thread = Thread {
            while getppid() == parent { usleep(250_000) }
            _ = try? store.failTrainingRun(run, error: "stopped: the daemon that started this run (pid \(parent)) exited")
            _exit(1)
        }
        thread.start()
    }
}

/// The run's lease: while the trainer lives, it renews the run's heartbeat several times per
/// `store.lease`, so that another node can tell a long run from a dead one.
enum RunHeartbeat {
    static func start(store: any SiftStore, run: TrainingRunID, every interval: TimeInterval) {
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: interval)
                try? store.updateTrainingRun(run)
            }
        }
        thread.start()
    }
}
