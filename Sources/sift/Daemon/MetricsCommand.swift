import ArgumentParser
import Foundation
import SiftDaemon

/// `sift metrics`
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "siftd's Prometheus metrics, in the text exposition format.",
        discussion: """
            Prints the exposition text as is, e.g. for node_exporter's textfile collector: \
            sift metrics > /var/lib/node_exporter/sift.prom. With --json, siftd's reply line instead.

            \(DaemonExit.help)
            """)

    @OptionGroup var socket: DaemonSocketOptions

    @Flag(help: "Print the reply as one JSON line.")
    var json = false

    func run() throws {
        let reply = try DaemonCall.run(["op": "metrics"], socket: socket, printReply: json)
        if !json, case let .string(text)? = reply["metrics"] {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
