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

    @OptionGroup var daemon: DaemonRequestOptions

    @Argument(help: "The message id.")
    var id: Int64

    func validate() throws {
        guard id > 0 else { throw ValidationError("a message id is a positive integer, not \(id)") }
    }

    func run() throws {
        try daemon.call(["op": "forget", "message_id": .int(id)]) { reply in
            reply["forgotten"]?.boolValue == true
                ? "message \(id): label withdrawn" : "message \(id) had no label: nothing changed"
        }
    }
}
