import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON
import SiftMail

/// `sift learn --spam|--ham|--forget PATH…`: mailboxes to siftd as training labels.
struct LearnCommand: ParsableCommand {
    enum Action: String, EnumerableFlag {
        case spam, ham, forget

        static func help(for value: Action) -> ArgumentHelp? {
            switch value {
            case .spam: "Label every message spam."
            case .ham: "Label every message ham."
            case .forget: "Withdraw the labels of labelled messages with the same text."
            }
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Teach siftd from mail: message files, Maildirs, mbox files and folders of them.",
        discussion: """
            Each message is turned into the text the model reads (here, as siftd's own \
            classification sees it) and sent to siftd as a label, or with --forget as a request \
            to withdraw the labels of labelled messages with that text. A PATH is a message \
            file, an mbox (a file starting with a "From " line), a Maildir (cur/ and new/; tmp/ \
            and dot files skipped) or a folder, walked recursively in name order; files in a \
            folder that do not start like mail are reported and skipped.

            A message seen before in this run (the same Message-ID, else the same bytes) is \
            counted as a duplicate and not sent again. A message with nothing to read is \
            reported by path and skipped. Requests are pipelined on one connection, --window at \
            a time; one answered "overloaded" is retried a few times with a pause. A progress \
            bar (messages, share of the input read, rate) is drawn on stderr when it is a \
            terminal. At the end one line sums up: learned, duplicates, unreadable, refused \
            (with siftd's reasons).

            Examples:
              sift learn --spam ~/Maildir/.Junk ~/mail/spam.mbox
              sift learn --ham ~/Maildir/cur/1700000000.M1P2.host:2,S
              sift learn --forget ~/mail/misfiled.mbox

            Exit status: 0 every message learned (or a duplicate); 1 some were unreadable or \
            refused (the others were learned); 3 cannot connect to the socket; 4 the connection \
            broke (what was answered before stays learned); 64 wrong arguments; 66 a PATH does \
            not exist or cannot be read (nothing is sent). The socket is --socket, else \
            $SIFT_SOCKET, else /run/sift/siftd.sock; --wait-ready waits for it to accept connections \
            first. --timeout bounds the wait for each reply (then the exit status is 4).
            """)

    @OptionGroup var socket: DaemonSocketOptions
    @OptionGroup var timeout: ReplyTimeoutOption

    @Flag(exclusivity: .exclusive)
    var action: Action

    @Option(help: "Requests in flight at once on the connection.")
    var window = 64

    @Argument(help: "Message files, mbox files, Maildirs or folders.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one message file, mbox, Maildir or folder") }
        if window < 1 { throw ValidationError("--window must be at least 1") }
    }

    func run() throws {
        let files: [MailboxFile]
        do {
            files = try paths.flatMap { path throws(MailboxError) in try Mailbox.files(at: path) }
        } catch {
            CLI.printError("\(error); nothing sent")
            throw LearnExit.cannotRead
        }
        let client = try socket.connect(timeout: timeout.timeout)
        let tally = LearnTally()
        let requests = RequestWindow(client: client, size: window) { reply, origin in tally.record(reply, origin: origin) }
        let progress = LearnProgress(totalBytes: files.reduce(0) { $0 + $1.size })
        var seen = Set<String>()
        var bytesDone = 0
        do {
            for file in files {
                let bytesBefore = bytesDone
                for result in file.messages() {
                    tally.read += 1
                    switch result {
                    case let .failure(error):
                        tally.unreadable(file.path, "\(error)")
                    case let .success(message):
                        bytesDone += message.bytes.count
                        try learn(message, seen: &seen, tally: tally, requests: requests)
                    }
                    progress.update(messages: tally.read, bytes: bytesDone)
                }
                bytesDone = bytesBefore + file.size
            }
            try requests.drain()
        } catch {
            progress.finish(messages: tally.read, bytes: bytesDone)
            CLI.printError("\(error)")
            print(tally.summary(forgetting: action == .forget, label: action.rawValue) + "; stopped early")
            throw DaemonExit.connectionLost
        }
        progress.finish(messages: tally.read, bytes: bytesDone)
        print(tally.summary(forgetting: action == .forget, label: action.rawValue))
        if tally.failed > 0 { throw DaemonExit.errorReply }
    }

    private func learn(_ message: MailboxMessage, seen: inout Set<String>, tally: LearnTally, requests: RequestWindow) throws {
        guard seen.insert(DuplicateKey.of(message.bytes)).inserted else {
            tally.duplicates += 1
            return
        }
        let text: String
        do {
            text = try MailText.modelText(of: message.bytes)
        } catch {
            tally.unreadable(message.origin, "\(error)")
            return
        }
        let request: JSONValue = action == .forget
            ? ["op": "forget", "text": .string(text)]
            : ["op": "label", "text": .string(text), "label": .string(action.rawValue)]
        try requests.submit(request, origin: message.origin)
    }
}

enum LearnExit {
    /// EX_NOINPUT: a PATH given does not exist or cannot be listed.
    static let cannotRead = ExitCode(66)
}
