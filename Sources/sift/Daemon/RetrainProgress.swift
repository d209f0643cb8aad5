import Foundation
import SiftDaemon
import SiftJSON

/// What `sift retrain --wait` shows while the run lasts: the running run's `training.progress`
/// from a `models` reply, polled on a second connection about once a second, on stderr (stdout
/// keeps only the outcome). On a terminal one status line is rewritten in place; otherwise a
/// plain line is written when the progress changes, at most every ``plainInterval`` seconds.
final class RetrainProgress: @unchecked Sendable {
    static let pollInterval = 1.0
    static let plainInterval = 5.0

    private let socketPath: String
    private let terminal = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private let stopping = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    /// Starts polling at once, on its own thread.
    init(socketPath: String) {
        self.socketPath = socketPath
        Thread { [self] in poll() }.start()
    }

    /// Stops polling and clears the status line; returns when nothing more will be written.
    func stop() {
        stopping.signal()
        stopped.wait()
    }

    private func poll() {
        var client: LineClient?
        var shown: String?
        var shownAt = Date.distantPast
        while stopping.wait(timeout: .now() + Self.pollInterval) == .timedOut {
            guard let progress = runningProgress(&client) else { continue }
            let elapsed = ProgressBar.duration(Date().timeIntervalSince(started))
            if terminal {
                write("\r\u{1B}[Kretrain: \(progress) (\(elapsed))")
                shown = progress
            } else if progress != shown && Date().timeIntervalSince(shownAt) >= Self.plainInterval {
                write("sift: retrain: \(progress) (after \(elapsed))\n")
                (shown, shownAt) = (progress, Date())
            }
        }
        if terminal && shown != nil { write("\r\u{1B}[K") }
        stopped.signal()
    }

    /// "run 8: epoch 1/3, step 40/96", or nil when no run is under way or siftd did not answer
    /// (the next poll tries again, on a new connection).
    private func runningProgress(_ client: inout LineClient?) -> String? {
        do {
            let connection = try client ?? LineClient(socketPath: socketPath, timeout: 10)
            client = connection
            let run = try connection.call(["op": "models"])["training"]
            guard run?["status"]?.stringValue == "running" else { return nil }
            let id = run?["id"]?.intValue.map { "run \($0): " } ?? ""
            return id + (run?["progress"]?.stringValue ?? "starting")
        } catch {
            client = nil
            return nil
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
