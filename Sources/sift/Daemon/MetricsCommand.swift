import ArgumentParser
import Foundation
import GPT2
import SiftDaemon

/// `sift metrics`
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "siftd's Prometheus metrics, in the text exposition format.",
        discussion: """
            Prints the exposition text as is. --output FILE writes it to FILE atomically instead (a \
            temporary file beside it, then a rename), so node_exporter's textfile collector never \
            reads half a file: sift metrics --output /var/lib/node_exporter/textfile/sift.prom \
            (systemd/sift-metrics.timer does that every 15 s). With --json, siftd's reply line instead. \
            An error reply is said on stderr (and with --json its line printed too).

            \(DaemonExit.statusHelp)
            """)

    @OptionGroup var socket: DaemonSocketOptions
    @OptionGroup var timeout: ReplyTimeoutOption

    @Flag(help: "Print the reply as one JSON line.")
    var json = false

    @Option(help: "Write the metrics to this file, atomically (for a textfile collector), instead of stdout.")
    var output: String?

    func validate() throws {
        if json && output != nil { throw ValidationError("--output writes the exposition text; it does not go with --json") }
    }

    func run() throws {
        let reply = try DaemonCall.run(["op": "metrics"], socket: socket, timeout: timeout.timeout, printJSON: json)
        guard !json, case let .string(text)? = reply["metrics"] else { return }
        guard let output else { return FileHandle.standardOutput.write(Data(text.utf8)) }
        do {
            try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
        } catch {
            throw CLIError("cannot write \(output): \(error)")
        }
    }
}
