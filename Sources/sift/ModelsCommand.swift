import ArgumentParser
import SiftDaemon

/// `sift models`
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "The model version serving and the models in the registry (one JSON line).",
        discussion: DaemonExit.help)

    @OptionGroup var socket: DaemonSocketOptions

    func run() throws {
        try DaemonCall.run(["op": "models"], socket: socket)
    }
}
