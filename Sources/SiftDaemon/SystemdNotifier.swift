import CSystemd

/// Sends sd_notify(3) state strings to the service manager.
/// Without $NOTIFY_SOCKET (not started by systemd) this does nothing and reports false.
public struct SystemdNotifier: Sendable {
    public init() {}

    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }
}
