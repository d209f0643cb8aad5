// Test scaffolding for SpamStoreTests' crash test, not a tool.
//
// usage: store-crash-writer <database> <messages>
//
// Stores <messages> new messages, prints "ready", then relabels them round-robin (every
// fifth event a withdrawal) as fast as it can, printing one line per event only after
// the store returned, i.e. after the commit:
//     <label event id> <message id> <label, or - for a withdrawal>
// The test kills it with SIGKILL mid-loop and checks that every printed event survived.
// It stops by itself after 60 seconds in case the test never does.
import Foundation
import SpamStore

func emit(_ line: String) {
    // Unbuffered write(2): once it returns the line is in the pipe, even if we die next.
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let messageCount = Int(arguments[2]), messageCount > 0 else {
    FileHandle.standardError.write(Data("usage: store-crash-writer <database> <messages>\n".utf8))
    exit(2)
}

let store = try Store(path: arguments[1])
let messageIDs = try store.recordLabeledMessages(
    (0..<messageCount).map { LabeledText(text: "crash test message \($0) pid \(getpid())", label: "ham") },
    source: .import)
emit("ready")

let labels = ["ham", "spam", "other"]
let deadline = ContinuousClock.now + .seconds(60)
var iteration = 0
while ContinuousClock.now < deadline {
    let messageID = messageIDs[iteration % messageIDs.count]
    if iteration % 5 == 4 {
        if let event = try store.forgetLabel(forMessage: messageID, source: .api) {
            emit("\(event.id) \(messageID) -")
        }
    } else {
        let label = labels[(iteration / messageIDs.count) % labels.count]
        let event = try store.setLabel(label, forMessage: messageID, source: .correction, peerUID: getuid())
        emit("\(event.id) \(messageID) \(label)")
    }
    iteration += 1
}
