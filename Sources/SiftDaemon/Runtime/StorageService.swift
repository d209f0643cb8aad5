import Foundation
import Logging
import ServiceLifecycle
import SpamStore

/// Keeps the store bounded while serving: applies `storage.text_retention_days` (drops the
/// text of unlabelled messages older than that; labels, hashes and predictions stay) and
/// exports the store's size and the free space as metrics. Runs at start and every
/// `interval`, on the store's own blocking pool, in short transactions.
struct StorageService: Service {
    let context: DaemonContext
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick()
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One round: retention, then the figures. Errors are logged; the next round tries again.
    func tick() async {
        let store = AsyncStore(context.store)
        let days = context.config.storage.textRetentionDays
        do {
            if days > 0 {
                let dropped = try await store.write { try $0.dropTextOfUnlabeledMessages(olderThanDays: days) }
                if dropped > 0 {
                    context.metrics.textsDropped.increment(by: Int64(dropped))
                    logger.info("retention: dropped the text of old unlabelled messages", metadata: ["messages": "\(dropped)", "days": "\(days)"])
                }
            }
            let figures = try await store.read { try $0.storageFigures() }
            context.metrics.storeTexts.set(Double(figures.storedTexts))
            context.metrics.storeTextBytes.set(Double(figures.storedTextBytes))
            context.metrics.storeFileBytes.set(Double(figures.fileBytes))
            if let free = FreeSpace.available(in: context.config.stateDirectory) {
                context.metrics.freeBytes.set(Double(free))
            }
        } catch {
            logger.error("storage: retention or figures failed; trying again later", metadata: ["error": "\(error)"])
        }
    }
}
