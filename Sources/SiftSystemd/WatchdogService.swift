import Foundation
import ServiceLifecycle

/// Sends WATCHDOG=1 at half of systemd's WatchdogSec=, but only while `isServing` says the
/// serving path made progress: a stuck batcher stops the pings and systemd restarts the daemon.
public struct WatchdogService: Service {
    private let interval: Duration
    private let isServing: @Sendable () async -> Bool
    private let notifier: ServiceNotifier

    /// `interval` is systemd's (see `ServiceNotifier.watchdogInterval()`); pings go out at half of it.
    public init(interval: Duration, notifier: ServiceNotifier = ServiceNotifier(), isServing: @escaping @Sendable () async -> Bool) {
        self.interval = interval
        self.notifier = notifier
        self.isServing = isServing
    }

    public func run() async throws {
        let period = interval / 2
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if await isServing() { notifier.watchdog() }
                do { try await Task.sleep(for: period) } catch { return }
            }
        }
    }
}
