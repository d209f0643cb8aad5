import Foundation
import Logging
import ServiceLifecycle
import SpamStore

/// Sends a status line (messages today, spam share, active model, last retrain) to the
/// lifecycle observer every `interval` while serving, and tells it the daemon is stopping as
/// soon as graceful shutdown begins (before the drain, as STOPPING=1 should be).
struct StatusService: Service {
    let context: DaemonContext
    let observer: any LifecycleObserver
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                observer.daemonStatus(Self.summary(context))
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
        observer.daemonIsStopping()
    }

    /// For example "model 7 · 1204 messages today, 13.2% spam · last retrain 2026-11-27 03:30 UTC succeeded".
    static func summary(_ context: DaemonContext) -> String {
        var parts = ["model \(context.models.current.version)"]
        if let today = try? context.store.dailyStats(days: 1).last {
            let share = today.messages == 0 ? 0 : 100 * Double(today.spam) / Double(today.messages)
            parts.append("\(today.messages) messages today, \(String(format: "%.1f", share))% spam")
        }
        if let run = try? context.store.latestTrainingRun() {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
            formatter.timeZone = TimeZone(identifier: "UTC")
            parts.append("last retrain \(formatter.string(from: run.startedAt)) \(run.status.rawValue)")
        } else {
            parts.append("no retrain yet")
        }
        return parts.joined(separator: " · ")
    }
}
