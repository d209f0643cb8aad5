import Logging
import ServiceLifecycle
import SpamStore

/// The daemon's own schedule: every `retrain.interval`, a run starts if enough new labels
/// arrived since the last successful one (`retrain.min_new_labels`, and
/// `retrain.min_new_per_label` of every label the model has). At graceful shutdown it stops a
/// running trainer.
struct RetrainScheduleService: Service {
    let context: DaemonContext
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(context.config.retrain.intervalSeconds)) } catch { return }
                // A model promoted by a hand-started `siftd train` serves from the next tick on.
                if context.retraining.runningRun == nil { await context.retraining.swapInActiveModel(context.config) }
                check()
            }
        }
        await context.retraining.stop()
    }

    private func check() {
        let config = context.config
        // Counted whatever the outcome: what tests and operators wait on to know a tick happened.
        defer { context.metrics.retrainChecks.increment() }
        guard config.retrain.enabled, context.retraining.runningRun == nil else { return }
        do {
            let counts = try context.store.newLabelCountsSinceLastTraining()
            let labels = context.models.current.labels
            let short = labels.filter { (counts.byLabel[$0] ?? 0) < config.retrain.minNewPerLabel }
            guard counts.total >= config.retrain.minNewLabels, short.isEmpty else {
                logger.debug("retrain: not enough new labels yet", metadata: [
                    "new": "\(counts.total)", "needed": "\(config.retrain.minNewLabels)", "short": "\(short)",
                ])
                return
            }
            _ = try context.retraining.start(trigger: "schedule", config: config)
        } catch {
            logger.warning("retrain: scheduled run not started", metadata: ["error": "\(error)"])
        }
    }
}
