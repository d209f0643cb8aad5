/// Told about the daemon's life: where systemd notification (READY=1, RELOADING=1, STOPPING=1,
/// STATUS=…) plugs in. Every method defaults to doing nothing.
public protocol LifecycleObserver: Sendable {
    /// The socket is bound and the model loaded: clients can be served.
    func daemonIsReady(status: String)
    func daemonIsReloading()
    /// A reload finished (successfully or not; the daemon serves either way).
    func daemonReloaded(status: String)
    func daemonIsStopping()
    /// A one-line summary of what the daemon is doing, sent periodically while it serves.
    func daemonStatus(_ status: String)
}

extension LifecycleObserver {
    public func daemonIsReady(status: String) {}
    public func daemonIsReloading() {}
    public func daemonReloaded(status: String) {}
    public func daemonIsStopping() {}
    public func daemonStatus(_ status: String) {}
}

public struct SilentLifecycleObserver: LifecycleObserver {
    public init() {}
}
