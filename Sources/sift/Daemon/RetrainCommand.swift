import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON

/// `sift retrain`
struct RetrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Start a training run now (siftd refuses if one is already running).",
        discussion: """
            The run trains on the labels collected so far, scores the candidate against the \
            active model on the holdout, and promotes it only if the paired gate shows it better and no worse beyond retrain.gate.tolerance; \
            the daemon then serves it without a restart. Without --wait this prints the run id at \
            once; `sift models` follows it. With --wait it shows the run's progress on stderr while \
            it lasts (a status line on a terminal, else a line when it changes, at most every few \
            seconds), then prints the outcome on stdout, and exits 2 when the run failed (the \
            trainer crashed, timed out or was killed; a candidate the gate rejected is a run that \
            succeeded), so a systemd unit or a script sees the failure. --timeout, if given, bounds \
            the wait too.

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    @Flag(help: "Wait until the run has ended and print its outcome.")
    var wait = false

    func run() throws {
        var request: [(key: String, value: JSONValue)] = [("op", .string("retrain"))]
        if wait { request.append(("wait", .bool(true))) }
        let progress: RetrainProgress? = wait ? RetrainProgress(socketPath: daemon.socket.path) : nil
        let reply: JSONValue
        do {
            defer { progress?.stop() }
            reply = try DaemonCall.run(.object(request), socket: daemon.socket, timeout: daemon.timeout.timeout,
                                       printJSON: daemon.output.isJSON)
        }
        if !daemon.output.isJSON { print(Self.text(reply)) }
        if wait, reply["status"]?.stringValue == "failed" { throw Self.runFailed }
    }

    /// `--wait`: the run ended `failed`.
    static let runFailed = ExitCode(2)

    static func text(_ reply: JSONValue) -> String {
        let run = "training run \(reply["run_id"]?.intValue.map(String.init) ?? "?")"
        let serving = reply["serving"]?.stringValue.map { "; serving \($0)" } ?? ""
        switch reply["status"]?.stringValue {
        case "running":
            return "\(run) started; sift models shows its progress (sift retrain --wait waits for it)"
        case "failed":
            return "\(run) failed: \(reply["error"]?.stringValue ?? "no reason given")\(serving)"
        case let status?:
            let version = reply["version"]?.stringValue ?? "the candidate"
            let outcome = reply["promoted"]?.boolValue == true
                ? "\(version) promoted" : "\(version) not promoted (\(reply["decision"]?.stringValue ?? "no decision"))"
            let reasons = (reply["reasons"]?.arrayValue ?? []).compactMap(\.stringValue).map { "\n  " + $0 }.joined()
            return "\(run) \(status): \(outcome)\(serving)\(reasons)"
        case nil:
            return "\(run): \(JSONWriter.string(reply))"
        }
    }
}
