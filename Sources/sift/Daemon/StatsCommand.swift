import ArgumentParser
import SiftDaemon

/// `sift stats`
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Messages, spam and corrections per day, online accuracy and new labels (one JSON line).",
        discussion: DaemonExit.help)

    @OptionGroup var socket: DaemonSocketOptions

    @Option(help: "UTC days to report, ending today (1-366).")
    var days = 7

    func run() throws {
        try DaemonCall.run(["op": "stats", "days": .int(Int64(days))], socket: socket)
    }
}
