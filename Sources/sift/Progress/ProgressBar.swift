import Foundation

/// Progress of one long step on stderr, so stdout stays the command's result.
///
/// On a terminal: one line redrawn at most ten times a second, with a bar, counts, rate and ETA:
///
///     prefix cache [#########-----------]  412/900 examples  46%  38/s  ETA 0:13
///
/// Otherwise (a log, a pipe, a systemd unit): a plain line at most every `plainInterval` seconds,
/// and always one at the end, so a log shows that the step moved and how long it took.
final class ProgressBar {
    private let title: String
    private let total: Int
    private let unit: String
    private let terminal: Bool
    private let plainInterval: Double
    private let output: (String) -> Void
    private let start = Date()
    private var lastDrawn = Date.distantPast
    private var done = 0
    private var finished = false

    init(_ title: String, total: Int, unit: String, terminal: Bool = isatty(STDERR_FILENO) == 1, plainInterval: Double = 10,
         output: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.title = title
        self.total = max(0, total)
        self.unit = unit
        self.terminal = terminal
        self.plainInterval = plainInterval
        self.output = output
    }

    func update(_ done: Int) {
        self.done = min(done, total)
        let now = Date()
        // A plain line only once the step has run for a while: a quick step gets just its last line.
        guard now.timeIntervalSince(terminal ? lastDrawn : max(lastDrawn, start)) >= (terminal ? 0.1 : plainInterval) else { return }
        lastDrawn = now
        output(terminal ? "\r" + line(now: now, bar: true) + "\u{1B}[K" : line(now: now, bar: false) + "\n")
    }

    /// The last line: the full count and the time the step took. Safe to call twice.
    func finish() {
        guard !finished else { return }
        finished = true
        done = total
        let seconds = Date().timeIntervalSince(start)
        let summary = "\(title): \(total) \(unit) in \(Self.duration(seconds))"
        output(terminal ? "\r" + summary + "\u{1B}[K\n" : summary + "\n")
    }

    private func line(now: Date, bar: Bool) -> String {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        var parts = [title]
        if bar {
            let width = 20, filled = Int(fraction * Double(width))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]")
        }
        parts.append("\(done)/\(total) \(unit)")
        parts.append(String(format: "%3.0f%%", fraction * 100))
        // A rate from the first instant (a step done at once) would read 1045000/s: wait a second.
        if done > 0, elapsed >= 1 {
            parts.append(rate >= 10 ? String(format: "%.0f/s", rate) : String(format: "%.1f/s", rate))
            parts.append("ETA " + Self.duration(Double(total - done) / rate))
        }
        return parts.joined(separator: bar ? "  " : ", ")
    }

    /// 0:07, 12:30, 1:02:03.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
