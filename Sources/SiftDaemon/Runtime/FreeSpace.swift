import Foundation
import Synchronization

/// Free space in the state directory, against `storage.min_free_mb`: below the floor, message
/// texts are not stored (the predictions, small, still are), so a flood of big messages cannot
/// fill the disk the labels and models live on. Read at most once a second (statvfs is cheap,
/// but the journal asks per batch).
public final class FreeSpace: Sendable {
    private let directory: String
    private let floor: Int64
    private let reasons: DegradedReasons
    private let metrics: DaemonMetrics
    private let cached = Mutex<(bytes: Int64, at: ContinuousClock.Instant)?>(nil)
    private let clock = ContinuousClock()

    init(directory: String, floor: Int64, reasons: DegradedReasons, metrics: DaemonMetrics) {
        self.directory = directory
        self.floor = floor
        self.reasons = reasons
        self.metrics = metrics
    }

    /// Bytes available to the daemon's user; nil if statvfs fails.
    public static func available(in directory: String) -> Int64? {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Whether texts may be stored now.
    public var allowsTexts: Bool {
        let now = clock.now
        let bytes: Int64 = cached.withLock { cached in
            if let cached, cached.at.duration(to: now) < .seconds(1) { return cached.bytes }
            let bytes = Self.available(in: directory) ?? .max
            cached = (bytes, now)
            return bytes
        }
        metrics.freeBytes.set(Double(bytes))
        let allowed = bytes >= floor
        reasons.set(.storage, allowed ? nil
            : "\(bytes >> 20) MiB free in \(directory), below storage.min_free_mb (\(floor >> 20)); message texts are not being stored")
        return allowed
    }
}
