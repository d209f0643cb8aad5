import ArgumentParser
import SiftDaemon

/// `sift forget ID`
struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Withdraw a message's label, so training no longer uses it.",
        discussion: """
            The reply's "forgotten" is false when the message had no label. \
            siftd answers after the commit.

            \(DaemonExit.help)
            """)

    @OptionGroup var socket: DaemonSocketOptions

    @Argument(help: "The message id.")
    var id: Int64

    func validate() throws {
        guard id > 0 else { throw ValidationError("a message id is a positive integer, not \(id)") }
    }

    func run() throws {
        try DaemonCall.run(["op": "forget", "message_id": .int(id)], socket: socket)
    }
}
