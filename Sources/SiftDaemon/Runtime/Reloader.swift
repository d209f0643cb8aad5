import Logging

/// What SIGHUP does: re-read the config, apply what can change while running, and reload the
/// model (the registry's active one, or the configured file). Connections stay open; requests
/// in flight finish on the model they started on. On any failure the daemon keeps serving
/// with what it had, and says so in the log and in `sift_reload_failures_total`.
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
        warnAboutRestartOnlyChanges(from: old, to: config)
        context.replaceConfig(config)
        context.batcher.update(Batcher.Settings(config.batching))
        let models = context.models
        let newConfig = config
        do {
            let model = try await BlockingWork.run { try models.reload(newConfig) }
            context.countReload()
            context.metrics.reloads.increment()
            logger.info("reloaded", metadata: ["model": "\(model.version)"])
            return true
        } catch {
            logger.error("reload: model failed to load, keeping \(models.current.version)", metadata: ["error": "\(error)"])
            context.metrics.reloadFailures.increment()
            return false
        }
    }

    private func warnAboutRestartOnlyChanges(from old: DaemonConfig, to new: DaemonConfig) {
        var changed: [String] = []
        if old.socket != new.socket { changed.append("socket.*") }
        if old.stateDirectory != new.stateDirectory { changed.append("state_dir") }
        if old.journal != new.journal { changed.append("journal.*") }
        if old.model.threads != new.model.threads { changed.append("model.threads") }
        if old.logLevel != new.logLevel { changed.append("log.level") }
        if !changed.isEmpty {
            logger.warning("reload: these settings take effect only after a restart", metadata: ["keys": "\(changed.joined(separator: ", "))"])
        }
    }
}
