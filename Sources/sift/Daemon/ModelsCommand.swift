import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON

/// `sift models`
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "The model serving, the registry's versions with their holdout scores and status, and the latest training run.",
        discussion: """
            Scores are the candidate's on the holdout when it was trained: LABELS on held-out \
            collected labels, SEED on held-out seed data (what the model must not forget). SPAM \
            RECALL is "-" when that holdout had no spam. A pruned model's files are deleted: it \
            is listed, but cannot be rolled back to. A training run under way shows its progress.

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    func run() throws {
        try daemon.call(["op": "models"], human: Self.text)
    }

    static func text(_ reply: JSONValue) -> String {
        var lines = ["serving: \(reply["serving"]?.stringValue ?? "?")"]
        var rows = [["VERSION", "STATUS", "CREATED", "LABELS ACC", "SPAM RECALL", "SEED ACC", "NOTE"]]
        for model in reply["models"]?.arrayValue ?? [] {
            let candidate = model["metrics"]?["candidate"]
            var note: [String] = []
            if let from = model["metrics"]?["warm_start"]?.stringValue { note.append("from \(from)") }
            if model["pruned"]?.boolValue == true { note.append("pruned") }
            rows.append([
                model["version"]?.stringValue ?? "?", model["status"]?.stringValue ?? "?",
                String((model["created_at"]?.stringValue ?? "").prefix(16)).replacingOccurrences(of: "T", with: " "),
                percent(candidate?["labels"]?["accuracy"]), percent(recall(candidate?["labels"])),
                percent(candidate?["seed"]?["accuracy"]), note.joined(separator: ", "),
            ])
        }
        lines.append(rows.count == 1 ? "no models in the registry yet" : CLI.table(rows))
        if let run = reply["training"], run != .null {
            var line = "latest training run: \(run["id"]?.intValue.map(String.init) ?? "?") \(run["status"]?.stringValue ?? "?")"
            if let progress = run["progress"]?.stringValue, run["status"]?.stringValue == "running" { line += " (\(progress))" }
            if let error = run["error"]?.stringValue { line += ": \(error)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func percent(_ value: JSONValue?) -> String {
        guard let number = value?.numberValue else { return "-" }
        return String(format: "%.2f%%", number * 100)
    }

    /// An evaluation's recall of its positive label (spam), or nil when the holdout had none of
    /// it: the metrics then say 0, which would read as "caught no spam". `per_label` carries each
    /// label's support (how many of the holdout's messages are that label).
    static func recall(_ evaluation: JSONValue?) -> JSONValue? {
        guard let evaluation else { return nil }
        if let positive = evaluation["positive_label"]?.stringValue,
           let metrics = evaluation["per_label"]?.arrayValue?.first(where: { $0["label"]?.stringValue == positive }),
           metrics["support"]?.intValue == 0 {
            return nil
        }
        return evaluation["recall"]
    }
}
