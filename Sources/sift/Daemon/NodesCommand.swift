import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON

/// `sift nodes`
struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "The siftd nodes that share this daemon's store: what each serves and when it last reported.",
        discussion: """
            Every siftd reports itself to its store every store.poll_interval. On a PostgreSQL \
            store several nodes share, a node that serves another version than ACTIVE is still \
            loading it, or cannot; one not seen for a while is stopped or cut off from the store. \
            On a SQLite store the list is this daemon alone (and earlier names it ran under).

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    func run() throws {
        try daemon.call(["op": "nodes"], human: Self.text)
    }

    static func text(_ reply: JSONValue) -> String {
        var lines = [
            "this node: \(reply["node"]?.stringValue ?? "?") (\(reply["shared"]?.boolValue == true ? "shared store" : "own store"))",
            "active:    \(reply["active"]?.stringValue ?? "none (the configured classifier)")",
        ]
        var rows = [["NODE", "HOST", "PID", "SERVING", "PRECISION", "SEEN", "STARTED"]]
        for node in reply["nodes"]?.arrayValue ?? [] {
            let ago = node["seen_seconds_ago"]?.numberValue.map { String(format: "%.0fs ago", $0) } ?? "?"
            rows.append([
                node["name"]?.stringValue ?? "?", node["host"]?.stringValue ?? "?",
                node["pid"]?.intValue.map(String.init) ?? "?", node["serving"]?.stringValue ?? "?",
                node["precision"]?.stringValue ?? "?", ago,
                String((node["started_at"]?.stringValue ?? "").prefix(16)).replacingOccurrences(of: "T", with: " "),
            ])
        }
        lines.append(rows.count == 1 ? "no node has reported yet" : CLI.table(rows))
        return lines.joined(separator: "\n")
    }
}
