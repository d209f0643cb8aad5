import ArgumentParser
import SiftDaemon

@main
struct Siftd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siftd",
        abstract: "The Sift spam-filter daemon: classifies messages from a Unix socket with a fine-tuned GPT-2.",
        discussion: """
            `siftd` (or `siftd serve`) runs the daemon. `siftd train` runs one training run: the \
            daemon starts it for every retrain, and by hand it trains a first classifier (a cold \
            start) or retrains while the daemon is stopped.
            """,
        version: SiftVersion.string,
        subcommands: [ServeCommand.self, TrainCommand.self],
        defaultSubcommand: ServeCommand.self)
}
