import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON
import Synchronization

/// `sift classify`: texts to siftd, results back as they come.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify texts with siftd: from the arguments, or one per line on stdin.",
        discussion: """
            Requests are pipelined on one connection and results are printed as they arrive, \
            in input order, one line per text: in human output the verdict, probability of spam, \
            message id and model ("spam 0.987 id=123 model=r3", as sift check prints); in JSON \
            siftd's reply (message_id, label, verdict, probabilities, model); with --tsv: \
            message_id, label, probability of that label, and the text (tabs and line breaks in \
            it turned into spaces). Blank stdin lines are skipped. A text siftd rejects is said \
            on stderr (and in JSON its error reply printed) and the others go on; the exit status \
            is then 1. --timeout bounds the wait for each reply.

            Example:
              printf 'WINNER!! claim now\\nsee you at 6\\n' | sift classify --tsv

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    @Flag(help: "Print tab-separated message_id, label, probability, text (instead of --format).")
    var tsv = false

    @Argument(help: "Texts to classify; without any, lines of stdin.")
    var texts: [String] = []

    func validate() throws {
        if tsv && daemon.output.isExplicit { throw ValidationError("--tsv is a format of its own; it does not go with --format or --json") }
    }

    func run() throws {
        let client = try daemon.socket.connect(timeout: daemon.timeout.timeout)
        let json = daemon.output.isJSON
        let sent = SentTexts()
        let arguments = texts
        // One thread sends while this one prints, so a long stdin streams through.
        let sender = Thread {
            func send(_ text: String) -> Bool {
                sent.append(text)
                do {
                    try client.send(["op": "classify", "text": .string(text)])
                    return true
                } catch {
                    sent.fail("\(error)")
                    return false
                }
            }
            if arguments.isEmpty {
                while let line = readLine(strippingNewline: true) {
                    let text = line.hasSuffix("\r") ? String(line.dropLast()) : line
                    if text.allSatisfy(\.isWhitespace) { continue }
                    if !send(text) { break }
                }
            } else {
                for text in arguments where !send(text) { break }
            }
            client.finishSending()
            sent.finish()
        }
        sender.start()

        var failed = false
        while let text = sent.next() {
            let (line, reply) = try DaemonCall.readReply(from: client, timeout: daemon.timeout.timeout, closed: "siftd closed the connection early")
            let error = ErrorReply(reply)
            if let error {
                failed = true
                CLI.printError("\(error.text): \(Self.flat(text).prefix(80))")
            }
            if json && !tsv {
                FileHandle.standardOutput.write(Data(line + [10]))
            } else if error == nil {
                if tsv { printTSV(reply, text: text) } else { print(Self.humanLine(reply)) }
            }
        }
        if let error = sent.failure {
            CLI.printError(error)
            throw DaemonExit.connectionLost
        }
        if failed { throw DaemonExit.errorReply }
    }

    private func printTSV(_ reply: JSONValue, text: String) {
        guard case let .int(id)? = reply["message_id"], case let .string(label)? = reply["label"] else {
            CLI.printError("unexpected reply: \(JSONWriter.string(reply).prefix(200))")
            return
        }
        var probability = ""
        if case let .double(p)? = reply["probabilities"]?[label] { probability = "\(p)" }
        FileHandle.standardOutput.write(Data("\(id)\t\(label)\t\(probability)\t\(Self.flat(text))\n".utf8))
    }

    /// The text on one line: tabs and line breaks turned into spaces.
    private static func flat(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }

    /// `spam 0.987 id=123 model=r3`, or for a model without a spam label `LABEL id=… model=…`.
    static func humanLine(_ reply: JSONValue) -> String {
        if let verdict = Verdict(reply: reply) { return verdict.line }
        return ([reply["label"]?.stringValue ?? "?"] + [
            reply["message_id"]?.intValue.map { "id=\($0)" }, reply["model"]?.stringValue.map { "model=\($0)" },
        ].compactMap { $0 }).joined(separator: " ")
    }
}

/// The texts sent and not yet answered, for pairing with the replies (which come in the same
/// order). Bounded in practice: the sender blocks while siftd applies backpressure.
private final class SentTexts: Sendable {
    private struct State {
        var texts: [String] = []
        var start = 0
        var finished = false
        var failure: String?
    }

    private let state = Mutex(State())
    private let changed = DispatchSemaphore(value: 0)

    func append(_ text: String) {
        state.withLock { $0.texts.append(text) }
        changed.signal()
    }

    func finish() {
        state.withLock { $0.finished = true }
        changed.signal()
    }

    func fail(_ reason: String) {
        state.withLock { $0.failure = reason }
    }

    var failure: String? { state.withLock { $0.failure } }

    /// The oldest unanswered text, waiting for it to be sent; nil when sending ended.
    func next() -> String? {
        while true {
            let (text, done): (String?, Bool) = state.withLock { state in
                guard state.start < state.texts.count else { return (nil, state.finished) }
                let text = state.texts[state.start]
                state.start += 1
                if state.start > 1024 {
                    state.texts.removeFirst(state.start)
                    state.start = 0
                }
                return (text, false)
            }
            if let text { return text }
            if done { return nil }
            changed.wait()
        }
    }
}
