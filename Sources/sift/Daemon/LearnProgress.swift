import Foundation

/// The progress bar of `sift learn` on stderr: messages read, share of the input's bytes, rate.
/// Bytes, not messages, because an mbox's message count is only known once it has been read.
/// Drawn only when stderr is a terminal, at most ten times a second; otherwise silent.
final class LearnProgress {
    private let totalBytes: Int
    private let enabled: Bool
    private let start = Date()
    private var lastDrawn = Date.distantPast
    private var drawn = false

    init(totalBytes: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.totalBytes = max(1, totalBytes)
        self.enabled = enabled
    }

    func update(messages: Int, bytes: Int, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        let fraction = min(1, Double(bytes) / Double(totalBytes))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let line = "\r[\(bar)] \(messages) messages " + String(format: "%3.0f%% %.0f/s ", fraction * 100, Double(messages) / elapsed)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    /// Ends the bar's line, so what follows starts on a fresh one.
    func finish(messages: Int, bytes: Int) {
        guard drawn else { return }
        update(messages: messages, bytes: bytes, force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
