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
            collected labels, SEED on held-out seed data (what the model must not forget). A \
            pruned model's files are deleted: it is listed, but cannot be rolled back to.

            \(DaemonExit.help)
            """)

    @OptionGroup var socket: DaemonSocketOptions

    @Flag(help: "Print the daemon's reply as one JSON line instead of a table.")
    var json = false

    func run() throws {
        let reply = try DaemonCall.run(["op": "models"], socket: socket, printReply: json)
        guard !json else { return }
        print("serving: \(reply["serving"]?.stringValue ?? "?")")
        var rows = [["VERSION", "STATUS", "CREATED", "LABELS ACC", "SPAM RECALL", "SEED ACC", "NOTE"]]
        for model in reply["models"]?.arrayValue ?? [] {
            let candidate = model["metrics"]?["candidate"]
            func percent(_ value: JSONValue?) -> String {
                guard let number = value?.numberValue else { return "-" }
                return String(format: "%.2f%%", number * 100)
            }
            var note: [String] = []
            if let from = model["metrics"]?["warm_start"]?.stringValue { note.append("from \(from)") }
            if model["pruned"]?.boolValue == true { note.append("pruned") }
            rows.append([
                model["version"]?.stringValue ?? "?", model["status"]?.stringValue ?? "?",
                String((model["created_at"]?.stringValue ?? "").prefix(16)).replacingOccurrences(of: "T", with: " "),
                percent(candidate?["labels"]?["accuracy"]), percent(candidate?["labels"]?["recall"]),
                percent(candidate?["seed"]?["accuracy"]), note.joined(separator: ", "),
            ])
        }
        if rows.count == 1 { print("no models in the registry yet") } else { print(CLI.table(rows)) }
        if let run = reply["training"], run != .null {
            var line = "latest training run: \(run["id"]?.intValue.map(String.init) ?? "?") \(run["status"]?.stringValue ?? "?")"
            if let progress = run["progress"]?.stringValue, run["status"]?.stringValue == "running" { line += " (\(progress))" }
            if let error = run["error"]?.stringValue { line += ": \(error)" }
            print(line)
        }
    }
}

/// `sift retrain`
struct RetrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Start a training run now (siftd refuses if one is already running).",
        discussion: """
            The run trains on the labels collected so far, scores the candidate against the \
            active model on the holdout, and promotes it only if the paired gate shows it better and no worse beyond retrain.gate.tolerance; \
            the daemon then serves it without a restart. Without --wait this prints the run id at \
            once; `sift models` follows it. With --wait it prints the outcome, and exits 2 when the \
            run failed (the trainer crashed, timed out or was killed; a candidate the gate rejected \
            is a run that succeeded), so a systemd unit or a script sees the failure.

            \(DaemonExit.help)
            """)

    @OptionGroup var socket: DaemonSocketOptions

    @Flag(help: "Wait until the run has ended and print its outcome.")
    var wait = false

    func run() throws {
        var request: [(key: String, value: JSONValue)] = [("op", .string("retrain"))]
        if wait { request.append(("wait", .bool(true))) }
        let reply = try DaemonCall.run(.object(request), socket: socket)
        if wait, reply["status"]?.stringValue == "failed" { throw Self.runFailed }
    }

    /// `--wait`: the run ended `failed`.
    static let runFailed = ExitCode(2)
}

/// `sift rollback [VERSION]`
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make an earlier model version active again and serve it.",
        discussion: """
            Without VERSION: the model that was active before the current one. The daemon swaps \
            it in between batches; if it does not load, nothing changes. `sift models` lists versions.

            \(DaemonExit.help)
            """)

    @OptionGroup var socket: DaemonSocketOptions

    @Argument(help: "The version to serve (see sift models).")
    var version: String?

    func run() throws {
        var request: [(key: String, value: JSONValue)] = [("op", .string("rollback"))]
        if let version { request.append(("version", .string(version))) }
        try DaemonCall.run(.object(request), socket: socket)
    }
}
