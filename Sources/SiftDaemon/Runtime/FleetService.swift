import Foundation
import Logging
import ServiceLifecycle
import SpamStore
import Synchronization

/// This node's part in a fleet: every `store.poll_interval` it reports itself to the store
/// (`sift nodes`) and, on a store other nodes share, serves the model the registry says is
/// active, so a promotion or a rollback made on any node reaches every node within one poll.
/// Where the store can say so as it happens (PostgreSQL's LISTEN/NOTIFY, `store.listen`), the
/// node swaps as soon as it hears, and polling is the fallback for whatever it did not hear.
struct FleetService: Service {
    let context: DaemonContext
    let startedAt: Date
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                let config = context.config
                if config.store.isShared, config.store.listen, let feed = context.store as? any RegistryChangeFeed {
                    group.addTask { await listen(to: feed) }
                }
                await poll()
            }
        }
    }

    private func poll() async {
        var reportFailed = false
        while !Task.isCancelled {
            let config = context.config
            await swapInActiveModel(config)
            do {
                try await report(config)
                if reportFailed { logger.info("fleet: reporting to the store again") }
                reportFailed = false
            } catch {
                if !reportFailed { logger.warning("fleet: cannot report this node to the store", metadata: ["error": "\(error)"]) }
                reportFailed = true
            }
            do { try await Task.sleep(for: .seconds(config.store.pollIntervalSeconds)) } catch { return }
        }
    }

    /// Follows the store's registry changes until cancelled, listening again whenever the
    /// connection is lost; a change is acted on at once and reported.
    private func listen(to feed: any RegistryChangeFeed) async {
        let lost = Mutex(false)
        while !Task.isCancelled {
            do {
                try await feed.followRegistryChanges(
                    listening: {
                        let again = lost.withLock { lost in
                            defer { lost = false }
                            return lost
                        }
                        logger.info(again ? "fleet: listening for promotions again" : "fleet: listening for promotions")
                        context.metrics.fleetListening.set(1.0)
                        // Whatever changed while nobody listened.
                        await swapInActiveModelAndReport()
                    },
                    changed: { version in
                        logger.debug("fleet: heard a model made active", metadata: ["model": "\(version)"])
                        await swapInActiveModelAndReport()
                    })
            } catch {
                if Task.isCancelled { return }  // shutting down, not a lost connection
                context.metrics.fleetListening.set(0.0)
                let first = lost.withLock { lost in
                    defer { lost = true }
                    return !lost
                }
                if first {
                    logger.warning("fleet: not listening for promotions; polling every store.poll_interval meanwhile",
                                   metadata: ["error": "\(error)"])
                }
            }
            // Soon, however long the poll interval: a node that polls rarely relies on listening.
            do { try await Task.sleep(for: Self.listenRetry(context.config)) } catch { return }
        }
    }

    static func listenRetry(_ config: DaemonConfig) -> Duration {
        .seconds(min(config.store.pollIntervalSeconds, 5))
    }

    private func swapInActiveModelAndReport() async {
        let config = context.config
        await swapInActiveModel(config)
        // So that `sift nodes` shows the swap now rather than at the next poll; a failure here
        // is the poll loop's to report.
        try? await report(config)
    }

    /// Not while this node trains: its own run promotes (or not) and swaps when it ends.
    private func swapInActiveModel(_ config: DaemonConfig) async {
        guard config.store.isShared, context.retraining.runningRun == nil else { return }
        await context.retraining.swapInActiveModel(config)
    }

    private func report(_ config: DaemonConfig) async throws {
        let status = NodeStatus(
            name: config.store.node, host: ProcessInfo.processInfo.hostName, pid: getpid(),
            servingVersion: context.models.current.version, precision: "\(config.model.servedPrecision)",
            startedAt: startedAt, seenAt: Date())
        let store = context.store
        try await BlockingWork.run(on: BlockingWork.storeWrites) { try store.recordNodeHeartbeat(status) }
    }
}
