import ArgumentParser
import SiftDaemon

/// `sift correct ID LABEL`
struct CorrectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract: "Tell siftd what a classified message really is (or confirm it).",
        discussion: """
            ID is the message_id from classify. siftd answers after the label is committed.

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    @Argument(help: "The message id from classify.")
    var id: Int64

    @Argument(help: "The right label, e.g. ham or spam.")
    var label: String

    func validate() throws {
        guard id > 0 else { throw ValidationError("a message id is a positive integer, not \(id)") }
    }

    func run() throws {
        try daemon.call(["op": "correct", "message_id": .int(id), "label": .string(label)]) { reply in
            "message \(reply["message_id"]?.intValue ?? id) is now labelled \(reply["label"]?.stringValue ?? label)"
        }
    }
}
