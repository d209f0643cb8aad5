import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON

/// `sift stats`
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Messages, spam and corrections per day, online accuracy and new labels.",
        discussion: """
            Human output: a row per UTC day and their total, then the online accuracy (the latest \
            prediction of each reviewed message against its label), the labels added since the \
            last training run, and the model serving.

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    @Option(help: "UTC days to report, ending today (1-366).")
    var days = 7

    func run() throws {
        try daemon.call(["op": "stats", "days": .int(Int64(days))], human: Self.text)
    }

    static func text(_ reply: JSONValue) -> String {
        var rows = [["DAY", "MESSAGES", "SPAM", "CORRECTIONS"]]
        let columns = ["messages", "spam", "corrections"]
        var totals = [Int64](repeating: 0, count: columns.count)
        for day in reply["days"]?.arrayValue ?? [] {
            let counts = columns.map { day[$0]?.intValue ?? 0 }
            for index in counts.indices { totals[index] += counts[index] }
            rows.append([day["day"]?.stringValue ?? "?"] + counts.map(String.init))
        }
        rows.append(["total"] + totals.map(String.init))
        var lines = [CLI.table(rows)]

        let online = reply["online_accuracy"]
        let reviewed = online?["reviewed"]?.intValue ?? 0
        if let accuracy = online?["accuracy"]?.numberValue {
            lines.append(String(format: "online accuracy: %.2f%% (%lld wrong of %lld reviewed)", accuracy * 100, online?["wrong"]?.intValue ?? 0, reviewed))
        } else {
            lines.append("online accuracy: - (no message reviewed yet)")
        }
        let newLabels = reply["new_labels"]
        var labels = "new labels since the last training run: \(newLabels?["total"]?.intValue ?? 0)"
        if case let .object(byLabel)? = newLabels?["by_label"], !byLabel.isEmpty {
            labels += " (" + byLabel.map { "\($0.key) \($0.value.intValue ?? 0)" }.joined(separator: ", ") + ")"
        }
        lines.append(labels)
        lines.append("model: \(reply["model"]?.stringValue ?? "?")")
        return lines.joined(separator: "\n")
    }
}
