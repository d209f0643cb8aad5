import ArgumentParser
import Foundation
import SiftMail

/// `sift check [FILE]`: one email, spam or ham, in the way mail filters expect (spamc -c).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check one email (a file, or stdin) with siftd: spam or ham, as an exit code or added headers.",
        discussion: """
            The message is read whole (raw RFC 5322, LF or CRLF), turned into the text the model \
            reads here (as siftd's training sees it), and classified by siftd. The verdict is \
            printed as one line: verdict, probability of spam, message id, model, e.g. \
            "spam 0.987 id=123 model=r3". The verdict is spam, ham or unsure (unsure when siftd \
            has an unsure band configured, classify.ham_threshold).

            --passthrough writes the message back instead, with "X-Sift-Status: spam; p=0.987; \
            model=r3; id=123" and "X-Spam-Flag: YES" (NO for ham and unsure) added at the top of \
            its headers (after an mbox "From " line); every other byte is unchanged, CRLF kept. \
            Header fields of the same names already in the message are left as they are, below.

            Fail-open: when siftd is down, unreachable, overloaded, fails, or does not answer \
            within --timeout, a warning goes to stderr, "unchecked" to stdout (or, with \
            --passthrough, the message unchanged) and the exit status is 0, so mail keeps \
            flowing. --fail-closed makes these a non-zero status instead (75 or 69), for an MTA \
            that should defer the message and retry.

            Exit status:
              0   ham or unsure, or not checked and passed on (fail-open)
              1   spam (with --passthrough only under --exit-code)
              64  wrong arguments
              65  nothing to read in the message (empty; no subject, sender or
                  text); with --passthrough only under --fail-closed, and the
                  message is written out unchanged all the same
              66  FILE (or stdin) cannot be read
              69  --fail-closed: siftd down or unreachable, the connection
                  broke, or siftd answered with an error
              75  --fail-closed: siftd timed out or was overloaded (try later)

            Examples:
              sift check message.eml && echo ham
              # procmail, Sieve and other filters: headers added, never lost
              sift check --passthrough --timeout 10 < in.eml > out.eml
              # headers added, and the status too: 1 spam, 75 or 69 to defer
              sift check --passthrough --fail-closed --exit-code < in.eml

            The socket is --socket, else $SIFT_SOCKET, else /run/sift/siftd.sock. With \
            --wait-ready, a socket that is not there yet (or refuses) is waited for first; past \
            that the message is not checked, as when siftd is down.
            """)

    @OptionGroup var socket: DaemonSocketOptions

    @Argument(help: "The message file (default: stdin).")
    var file: String?

    @Flag(help: "Write the message back to stdout with X-Sift-Status and X-Spam-Flag headers added.")
    var passthrough = false

    @Flag(help: "With --passthrough, exit 1 for spam as without it (like spamc -E).")
    var exitCode = false

    @Flag(help: "When siftd cannot give a verdict, exit 69 or 75 instead of passing the message on.")
    var failClosed = false

    @Option(help: "Seconds to wait for siftd, connecting and replying together.")
    var timeout: Double = 30

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        if exitCode && !passthrough { throw ValidationError("--exit-code goes with --passthrough (without it the exit code is the verdict anyway)") }
    }

    func run() throws {
        let message = try readMessage()
        let text: String
        do {
            text = try MailText.modelText(of: message)
        } catch {
            CLI.printError("\(file ?? "stdin"): \(error): not checked")
            if passthrough { write(message) }
            if passthrough && !failClosed { return }
            throw CheckExit.noText
        }
        if socket.waitReady != nil { _ = try? socket.connectWhenReady(timeout: timeout) }
        let verdict: Verdict
        do throws(VerdictQuery.Failure) {
            verdict = try VerdictQuery.ask(text, socketPath: socket.path, timeout: timeout)
        } catch {
            if failClosed {
                CLI.printError("\(error)")
                if passthrough { write(message) }
                throw error.isTemporary ? CheckExit.temporary : CheckExit.unavailable
            }
            CLI.printError("\(error); message not checked, passed on (fail-open)")
            if passthrough { write(message) } else { print("unchecked") }
            return
        }
        if passthrough {
            write(AddedHeaders.inserting(verdict.headerFields, into: message))
            if exitCode && verdict.kind == .spam { throw CheckExit.spam }
        } else {
            print(verdict.line)
            if verdict.kind == .spam { throw CheckExit.spam }
        }
    }

    private func readMessage() throws -> [UInt8] {
        do {
            if let file { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) }
            return [UInt8](try FileHandle.standardInput.readToEnd() ?? Data())
        } catch {
            CLI.printError("cannot read \(file ?? "stdin"): \((error as NSError).localizedDescription)")
            throw CheckExit.cannotRead
        }
    }

    private func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}

/// `sift check`'s exit statuses: spamc -c's 0 and 1, then sysexits.h codes for the rest.
enum CheckExit {
    static let spam = ExitCode(1)
    /// EX_DATAERR
    static let noText = ExitCode(65)
    /// EX_NOINPUT
    static let cannotRead = ExitCode(66)
    /// EX_UNAVAILABLE
    static let unavailable = ExitCode(69)
    /// EX_TEMPFAIL
    static let temporary = ExitCode(75)
}

private extension VerdictQuery.Failure {
    var isTemporary: Bool {
        if case .temporary = self { return true }
        return false
    }
}
