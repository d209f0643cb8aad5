import ArgumentParser
import SiftDaemon

/// `sift health`
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Whether siftd is serving, with what model, and how busy it is (one JSON line).",
        discussion: DaemonExit.help)

    @OptionGroup var socket: DaemonSocketOptions

    func run() throws {
        try DaemonCall.run(["op": "health"], socket: socket)
    }
}
