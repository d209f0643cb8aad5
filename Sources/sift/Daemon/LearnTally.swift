import SiftJSON

/// What `sift learn` did with each message, reported as it happens (problems, on stderr) and
/// summed up at the end. A class: the request window's reply handler and the reading loop
/// both count into it.
final class LearnTally {
    /// Messages found, and files that could not be read at all.
    var read = 0
    var learned = 0
    /// `--forget`: messages whose text matched labelled messages, and the labels withdrawn.
    var forgottenMessages = 0
    var forgottenLabels: Int64 = 0
    var withoutLabel = 0
    var duplicates = 0
    var unreadable = 0
    var refused: [String: Int] = [:]

    var failed: Int { unreadable + refused.values.reduce(0, +) }

    func unreadable(_ origin: String, _ reason: String) {
        unreadable += 1
        CLI.printError("unreadable, skipped: \(origin): \(reason)")
    }

    func record(_ reply: JSONValue, origin: String) {
        if let code = reply["error"]?["code"]?.stringValue {
            refused[code, default: 0] += 1
            CLI.printError("refused: \(origin): \(code): \(reply["error"]?["message"]?.stringValue ?? "")")
        } else if let forgotten = reply["forgotten"] {
            // A count from the text form of forget; a siftd that answers a boolean counts it as one.
            let count = forgotten.intValue ?? (forgotten.boolValue == true ? 1 : 0)
            forgottenLabels += count
            if count > 0 { forgottenMessages += 1 } else { withoutLabel += 1 }
        } else {
            learned += 1
        }
    }

    /// One line: `learned 480 as spam; 3 duplicates, 2 unreadable, 1 refused (overloaded 1)`.
    func summary(forgetting: Bool, label: String) -> String {
        var line = forgetting
            ? "forgot \(forgottenLabels) labels of \(forgottenMessages) messages (\(withoutLabel) had none)"
            : "learned \(learned) as \(label)"
        line += " from \(read) messages; \(duplicates) duplicates, \(unreadable) unreadable, \(refused.values.reduce(0, +)) refused"
        if !refused.isEmpty {
            line += " (" + refused.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
        }
        return line
    }
}
