import CSystemd
import Foundation

/// The daemon's side of sd_notify(3): tells the service manager when it is ready, reloading,
/// stopping or still alive, and what it is doing (STATUS=, shown by `systemctl status`).
///
/// Every call is a no-op that returns false when $NOTIFY_SOCKET is unset (not run by systemd,
/// or `Type=simple`), so the daemon calls these unconditionally.
public struct ServiceNotifier: Sendable {
    public init() {}

    /// Sends raw `KEY=value` assignments, one per line. True when a datagram was sent.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        sd_notify(0, assignments.joined(separator: "\n")) > 0
    }

    /// READY=1: the model is loaded and the socket accepts. `status` adds a STATUS= line.
    @discardableResult
    public func ready(status: String? = nil) -> Bool {
        send(["READY=1"] + (status.map { ["STATUS=\(Self.oneLine($0))"] } ?? []))
    }

    /// RELOADING=1 with MONOTONIC_USEC, as `Type=notify-reload` requires; follow with `ready()`.
    @discardableResult
    public func reloading() -> Bool {
        send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
    }

    @discardableResult
    public func stopping() -> Bool { send(["STOPPING=1"]) }

    @discardableResult
    public func status(_ text: String) -> Bool { send(["STATUS=\(Self.oneLine(text))"]) }

    @discardableResult
    public func watchdog() -> Bool { send(["WATCHDOG=1"]) }

    /// The watchdog interval systemd expects pings within (WatchdogSec=), or nil when disabled
    /// or meant for another process.
    public func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// CLOCK_MONOTONIC in microseconds, the clock systemd compares MONOTONIC_USEC against.
    public static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    /// A STATUS= value must not contain newlines: they would start a new assignment.
    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }
}
