import Foundation
import Logging
import ServiceLifecycle
import SpamStore

/// This node's part in a fleet: every `store.poll_interval` it reports itself to the store
/// (`sift nodes`) and, on a store other nodes share, serves the model the registry says is
/// active, so a promotion or a rollback made on any node reaches every node within one poll.
struct FleetService: Service {
    let context: DaemonContext
    let startedAt: Date
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var reportFailed = false
            while !Task.isCancelled {
                let config = context.config
                if config.store.isShared, context.retraining.runningRun == nil {
                    await context.retraining.swapInActiveModel(config)
                }
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
