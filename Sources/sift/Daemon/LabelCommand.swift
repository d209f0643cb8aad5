import ArgumentParser
import Foundation
import SiftDaemon

/// `sift label LABEL < text`
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Store a new message with its label (training data); the text is read from stdin.",
        discussion: """
            All of stdin is one text (a final line break is dropped). The reply carries the new \
            message_id; siftd answers after the commit.

            Example:
              echo "Are we still on for lunch?" | sift label ham

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    @Argument(help: "The label, e.g. ham or spam.")
    var label: String

    func run() throws {
        var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        try daemon.call(["op": "label", "text": .string(text), "label": .string(label)]) { reply in
            "stored message \(reply["message_id"]?.intValue.map(String.init) ?? "?"), labelled \(reply["label"]?.stringValue ?? label)"
        }
    }
}
