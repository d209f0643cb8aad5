import ArgumentParser
import SiftDaemon

@main
struct Sift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sift",
        abstract: "Sift's command-line tool: tokenize, predict, train, evaluate, benchmark and talk to siftd.",
        version: SiftVersion.string,
        subcommands: [BenchCommand.self])
}
