import Synchronization

/// Why the daemon is serving but not as promised (the journal cannot write, the disk is nearly
/// full): `health` reports `degraded` with these reasons, and `sift_degraded` is 1, until each
/// part that set a reason clears it.
public final class DegradedReasons: Sendable {
    public enum Part: String, Sendable, CaseIterable {
        case journal, storage
    }

    private let reasons = Mutex<[Part: String]>([:])
    private let metrics: DaemonMetrics

    init(metrics: DaemonMetrics) { self.metrics = metrics }

    /// The current reasons, as "part: reason", in a fixed order.
    public var current: [String] {
        let now = reasons.withLock { $0 }
        return Part.allCases.compactMap { part in now[part].map { "\(part.rawValue): \($0)" } }
    }

    /// Sets (or, with nil, clears) `part`'s reason; returns whether that changed anything.
    @discardableResult
    func set(_ part: Part, _ reason: String?) -> Bool {
        let (changed, count) = reasons.withLock { reasons in
            let changed = reasons[part] != reason
            reasons[part] = reason
            return (changed, reasons.count)
        }
        metrics.degraded.set(Double(count > 0 ? 1 : 0))
        return changed
    }
}
