import ArgumentParser
import SiftDaemon

@main
struct Siftd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siftd",
        abstract: "The Sift spam-filter daemon: classifies messages from a Unix socket with a fine-tuned GPT-2.",
        version: SiftVersion.string)

    func run() async throws {
        throw ValidationError("the daemon is not built yet (issue: siftd daemon); see `sift --help` for the offline tools")
    }
}
