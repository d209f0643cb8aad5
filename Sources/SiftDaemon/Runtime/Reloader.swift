import Logging

/// What SIGHUP does: re-read the config, apply what can change while running, and reload the
/// model (the registry's active one, or the configured file). Connections stay open; requests
/// in flight finish on the model they started on. On any failure the daemon keeps serving
/// with what it had (config and model), and says so in the log and in `sift_reload_failures_total`.
final class Reloader: Sendable {
    let context: DaemonContext
    let loader: DaemonConfigLoader?
    let observer: any LifecycleObserver
    let logger: Logger

    init(context: DaemonContext, loader: DaemonConfigLoader?, observer: any LifecycleObserver, logger: Logger) {
        self.context = context
        self.loader = loader
        self.observer = observer
        self.logger = logger
    }

    /// Returns whether config and model were both reloaded.
    @discardableResult
    func reload() async -> Bool {
        observer.daemonIsReloading()
        defer { observer.daemonReloaded(status: "serving model \(context.models.current.version)") }
        let old = context.config
        var config = old
        if let loader {
            do {
                config = try await loader.load()
            } catch {
                logger.error("reload: config rejected, keeping the old one", metadata: ["error": "\(error)"])
                context.metrics.reloadFailures.increment()
                return false
            }
        }
        // Config and model together or not at all: the model named by the new config loads
        // (and passes its checks) first; only then is the new config put in force.
        let models = context.models
        let newConfig = config
        let model: ServingModel
        do {
            model = try await BlockingWork.run(on: BlockingWork.models) { try models.reload(newConfig) }
        } catch {
            logger.error("reload: the model failed to load; keeping the old config and \(models.current.version)", metadata: ["error": "\(error)"])
            context.metrics.reloadFailures.increment()
            return false
        }
        warnAboutRestartOnlyChanges(from: old, to: config)
        context.replaceConfig(config)
        context.batcher.update(Batcher.Settings(config))
        context.countReload()
        context.metrics.reloads.increment()
        logger.info("reloaded", metadata: ["model": "\(model.version)"])
        return true
    }

    private func warnAboutRestartOnlyChanges(from old: DaemonConfig, to new: DaemonConfig) {
        var changed: [String] = []
        if old.socket != new.socket { changed.append("socket.*") }
        if old.spamc.socket != new.spamc.socket { changed.append("spamc.socket, spamc.mode, spamc.owner, spamc.group") }
        if old.stateDirectory != new.stateDirectory { changed.append("state_dir") }
        if old.journal != new.journal { changed.append("journal.*") }
        // The store is opened once, at start; the node name and lease go with it.
        if old.store != new.store { changed.append("store.*") }
        if old.model.threads != new.model.threads { changed.append("model.threads") }
        // The free-space floor and the storage service's period are fixed when they start.
        if old.storage.minFreeBytes != new.storage.minFreeBytes { changed.append("storage.min_free_mb") }
        if old.storage.checkIntervalSeconds != new.storage.checkIntervalSeconds { changed.append("storage.check_interval") }
        if old.logLevel != new.logLevel { changed.append("log.level") }
        if !changed.isEmpty {
            logger.warning("reload: these settings take effect only after a restart", metadata: ["keys": "\(changed.joined(separator: ", "))"])
        }
    }
}
