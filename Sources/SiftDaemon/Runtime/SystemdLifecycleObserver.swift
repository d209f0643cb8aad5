import SiftSystemd

/// Reports the daemon's life to systemd (sd_notify): READY=1 once the model is loaded and the
/// socket accepts, RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 at shutdown,
/// and STATUS= lines for `systemctl status`. Without $NOTIFY_SOCKET every call does nothing.
public struct SystemdLifecycleObserver: LifecycleObserver {
    private let notifier = ServiceNotifier()

    public init() {}

    public func daemonIsReady(status: String) { notifier.ready(status: status) }
    public func daemonIsReloading() { notifier.reloading() }
    public func daemonReloaded(status: String) { notifier.ready(status: status) }
    public func daemonIsStopping() { notifier.stopping() }
    public func daemonStatus(_ status: String) { notifier.status(status) }
}
