import Foundation
import TestSupport
import XCTest

/// `sift check` against scripted stand-ins for siftd: the verdict's exit codes, fail-open and
/// fail-closed, timeouts, bad input, and --passthrough's bytes.
final class CheckCommandTests: XCTestCase {
    private var sift: URL!
    private var directory: ShortTemporaryDirectory!

    static let message = "From: Jane <jane@example.com>\nSubject: lunch\n\nAre we still on for lunch?\n"

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        directory = try ShortTemporaryDirectory()
    }

    private func check(_ arguments: [String], input: String = message, socket: String) throws -> (status: Int32, output: String, errors: String) {
        try BuiltExecutable.run(sift, ["check", "--socket", socket] + arguments, input: input)
    }

    /// Kept for the whole test: a stand-in closes its socket when released.
    private var standIns: [ScriptedSocket] = []

    /// A siftd stand-in answering every request with `reply` (nil: never answering).
    private func daemon(_ reply: String?) throws -> ScriptedSocket {
        let standIn = try ScriptedSocket(path: directory.file("s\(standIns.count).sock"), reply: reply)
        standIns.append(standIn)
        return standIn
    }

    private static func reply(_ verdict: String, _ p: Double) -> String {
        #"{"message_id":7,"label":"\#(verdict == "spam" ? "spam" : "ham")","probabilities":{"ham":\#(1 - p),"spam":\#(p)},"model":"r3","verdict":"\#(verdict)","spam_probability":\#(p)}"#
    }

    func testVerdictIsPrintedAndSpamExitsOne() throws {
        let spam = try daemon(Self.reply("spam", 0.987))
        let spamResult = try check([], socket: spam.path)
        XCTAssertEqual(spamResult.status, 1, spamResult.errors)
        XCTAssertEqual(spamResult.output, "spam 0.987 id=7 model=r3\n")

        let ham = try check([], socket: try daemon(Self.reply("ham", 0.01)).path)
        XCTAssertEqual(ham.status, 0, ham.errors)
        XCTAssertEqual(ham.output, "ham 0.010 id=7 model=r3\n")

        let unsure = try check([], socket: try daemon(Self.reply("unsure", 0.6)).path)
        XCTAssertEqual(unsure.status, 0, "unsure is delivered: " + unsure.errors)
        XCTAssertEqual(unsure.output, "unsure 0.600 id=7 model=r3\n")
    }

    /// A siftd without thresholds sends no `verdict`: its label decides.
    func testReplyWithoutVerdictUsesTheLabel() throws {
        let old = try daemon(#"{"message_id":9,"label":"spam","probabilities":{"ham":0.2,"spam":0.8},"model":"1"}"#)
        let result = try check([], socket: old.path)
        XCTAssertEqual(result.status, 1, result.errors)
        XCTAssertEqual(result.output, "spam 0.800 id=9 model=1\n")
    }

    func testDaemonDownFailsOpenUnlessFailClosed() throws {
        let nobody = directory.file("nobody.sock")
        let open = try check([], socket: nobody)
        XCTAssertEqual(open.status, 0)
        XCTAssertEqual(open.output, "unchecked\n")
        XCTAssertTrue(open.errors.contains("fail-open"), open.errors)

        let passedOn = try check(["--passthrough"], socket: nobody)
        XCTAssertEqual(passedOn.status, 0)
        XCTAssertEqual(passedOn.output, Self.message, "the message unchanged")

        XCTAssertEqual(try check(["--fail-closed"], socket: nobody).status, 69)
        let closedPassthrough = try check(["--passthrough", "--fail-closed"], socket: nobody)
        XCTAssertEqual(closedPassthrough.status, 69)
        XCTAssertEqual(closedPassthrough.output, Self.message)
    }

    func testTimeoutAgainstASocketThatNeverAnswers() throws {
        let silent = try daemon(nil)
        let open = try check(["--timeout", "0.3"], socket: silent.path)
        XCTAssertEqual(open.status, 0)
        XCTAssertEqual(open.output, "unchecked\n")
        XCTAssertTrue(open.errors.contains("did not answer within"), open.errors)

        let closed = try check(["--timeout", "0.3", "--fail-closed", "--passthrough"], socket: silent.path)
        XCTAssertEqual(closed.status, 75)
        XCTAssertEqual(closed.output, Self.message)
    }

    func testRefusalsAreTemporaryOnlyWhenOverloaded() throws {
        let overloaded = try daemon(#"{"error":{"code":"overloaded","message":"busy"}}"#)
        XCTAssertEqual(try check(["--fail-closed"], socket: overloaded.path).status, 75)
        let failing = try daemon(#"{"error":{"code":"internal_error","message":"disk"}}"#)
        let result = try check(["--fail-closed"], socket: failing.path)
        XCTAssertEqual(result.status, 69)
        XCTAssertTrue(result.errors.contains("internal_error"), result.errors)
        XCTAssertEqual(try check([], socket: failing.path).status, 0, "fail-open")
    }

    func testUnreadableInput() throws {
        let spam = try daemon(Self.reply("spam", 0.9))
        // No stdin for commands that do not read it: writing to a pipe nobody reads could SIGPIPE the tests.
        let missing = try check([directory.file("no-such.eml")], input: "", socket: spam.path)
        XCTAssertEqual(missing.status, 66)
        XCTAssertTrue(missing.errors.contains("cannot read"), missing.errors)

        let empty = try check([], input: " \n\n", socket: spam.path)
        XCTAssertEqual(empty.status, 65)
        XCTAssertTrue(empty.errors.contains("empty"), empty.errors)
        XCTAssertEqual(empty.output, "")

        let passedOn = try check(["--passthrough"], input: " \n\n", socket: spam.path)
        XCTAssertEqual(passedOn.status, 0)
        XCTAssertEqual(passedOn.output, " \n\n", "nothing is lost")
        XCTAssertEqual(try check(["--passthrough", "--fail-closed"], input: " \n\n", socket: spam.path).status, 65)
    }

    /// Junk that is not mail at all still gets a verdict: MailText reads it as a body.
    func testJunkStillGetsAVerdict() throws {
        let ham = try daemon(Self.reply("ham", 0.1))
        let result = try check([], input: "\u{1}\u{2} binary-ish junk \u{7f}\n", socket: ham.path)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "ham 0.100 id=7 model=r3\n")
    }

    func testPassthroughAddsTwoHeadersAndChangesNothingElse() throws {
        let spam = try daemon(Self.reply("spam", 0.987))
        let added = "X-Sift-Status: spam; p=0.987; model=r3; id=7\nX-Spam-Flag: YES\n"

        let lf = try check(["--passthrough"], socket: spam.path)
        XCTAssertEqual(lf.status, 0, lf.errors)
        XCTAssertEqual(lf.output, added + Self.message)

        let crlfMessage = Self.message.replacingOccurrences(of: "\n", with: "\r\n")
        let crlf = try check(["--passthrough", "--exit-code"], input: crlfMessage, socket: spam.path)
        XCTAssertEqual(crlf.status, 1, "--exit-code: spam exits 1")
        XCTAssertEqual(Array(crlf.output.utf8), Array((added.replacingOccurrences(of: "\n", with: "\r\n") + crlfMessage).utf8))

        let ham = try check(["--passthrough", "--exit-code"], socket: try daemon(Self.reply("ham", 0.02)).path)
        XCTAssertEqual(ham.status, 0)
        XCTAssertEqual(ham.output, "X-Sift-Status: ham; p=0.020; model=r3; id=7\nX-Spam-Flag: NO\n" + Self.message)
    }

    func testExitCodeWithoutPassthroughIsAUsageError() throws {
        XCTAssertEqual(try check(["--exit-code"], input: "", socket: directory.file("x.sock")).status, 64)
    }
}
