import Foundation
import SiftJSON
import SiftMail
import XCTest
@testable import SiftDaemon

/// The SPAMC socket against Debian's `spamc`, as an MTA or procmail runs it: exit codes and
/// output of `-c`, `-R`, `-y`, `-K`, `-E`, `--headers`, the default mode, and `-L`.
final class SpamcClientTests: DaemonTestCase {
    private let message = Array("""
        Subject: Claim your prize now\r
        From: Lucky Draw <win@prizes.example>\r
        To: you@example.org\r
        \r
        You have WON a cruise! Call now to claim.\r

        """.utf8)
    private let otherMessage = Array("Subject: lunch\nFrom: Ann <ann@example.org>\n\nAre we still on for lunch?\n".utf8)

    /// What the model says about `message` through the JSON protocol: 10 × P(spam), one decimal.
    private func expectedScore(_ fixture: DaemonFixture, _ message: [UInt8]) throws -> String {
        let text = try MailText.modelText(of: message)
        let reply = try fixture.connect().call(["op": "classify", "text": .string(text)])
        guard let probability = reply["probabilities"]?["spam"]?.numberValue else {
            throw LineClient.Failure.io("no spam probability in \(reply)")
        }
        return String(format: "%.1f", 10 * probability)
    }

    /// The header fields spamc's output starts with, by name (the first of each).
    private func headerFields(_ output: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in output.components(separatedBy: "\r\n").prefix(while: { !$0.isEmpty }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            if fields[name] == nil { fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return fields
    }

    func testCheckExitsOneForSpamAndZeroForHamAndPrintsScoreOverRequired() async throws {
        let spamc = try SpamcProgram.require()
        var (fixture, socket) = try await startWithSpamc(spamThreshold: 0.001)
        let score = try expectedScore(fixture, message)
        var outcome = try await spamc.run(socket: socket, ["-c"], message: message)
        XCTAssertEqual(outcome.status, 1, outcome.text)
        XCTAssertEqual(outcome.text, "\(score)/0.0\n")
        try await fixture.stop()
        self.fixture = nil

        (fixture, socket) = try await startWithSpamc(spamThreshold: 0.999)
        outcome = try await spamc.run(socket: socket, ["-c"], message: message)
        XCTAssertEqual(outcome.status, 0, outcome.text)
        XCTAssertEqual(outcome.text, "\(score)/10.0\n")
    }

    func testDefaultModeReturnsTheMessageWithHeadersOnTopAndStoresThePrediction() async throws {
        let spamc = try SpamcProgram.require()
        let (fixture, socket) = try await startWithSpamc(spamThreshold: 0.001)
        let outcome = try await spamc.run(socket: socket, [], message: message)
        XCTAssertEqual(outcome.status, 0, outcome.text)
        XCTAssertEqual(Array(outcome.output.suffix(message.count)), message, "the original bytes follow the added headers unchanged")
        let fields = headerFields(outcome.text)
        XCTAssertEqual(fields["X-Spam-Flag"], "YES")
        XCTAssertTrue(fields["X-Spam-Status"]?.hasPrefix("Yes, score=\(try expectedScore(fixture, message)) required=0.0 tests=SIFT_SPAM") == true, "\(fields)")
        XCTAssertEqual(fields["X-Sift-Model"], fixture.daemon.context.models.current.version)
        let id = try XCTUnwrap(fields["X-Sift-Message-Id"].flatMap { Int64($0) }, "\(fields)")
        await fixture.daemon.context.journal.waitUntilWritten(id)
        let stored = try XCTUnwrap(try fixture.daemon.context.store.message(id))
        XCTAssertEqual(stored.text, try MailText.modelText(of: message), "the model text is what is stored")
        XCTAssertEqual(try fixture.daemon.context.store.predictions(forMessage: id).count, 1)

        let exitCode = try await spamc.run(socket: socket, ["-E"], message: message)
        XCTAssertEqual(exitCode.status, 1, "-E: spam sets exit status 1")
    }

    func testHamHasNoFlagAndDashEExitsZero() async throws {
        let spamc = try SpamcProgram.require()
        let (_, socket) = try await startWithSpamc(spamThreshold: 0.999)
        let outcome = try await spamc.run(socket: socket, ["-E"], message: otherMessage)
        XCTAssertEqual(outcome.status, 0, outcome.text)
        XCTAssertFalse(outcome.text.contains("X-Spam-Flag"))
        XCTAssertTrue(outcome.text.contains("\nX-Spam-Status: No, score="), outcome.text)
        XCTAssertFalse(outcome.text.contains("\r"), "an LF message gets LF headers")
        XCTAssertTrue(outcome.text.hasSuffix(String(decoding: otherMessage, as: UTF8.self)))
    }

    func testUnsureIsNotSpamButItsRuleSaysSo() async throws {
        let spamc = try SpamcProgram.require()
        let (_, socket) = try await startWithSpamc(spamThreshold: 0.999) { $0.classify.ham = 0.001 }
        let check = try await spamc.run(socket: socket, ["-c"], message: message)
        XCTAssertEqual(check.status, 0, check.text)
        let symbols = try await spamc.run(socket: socket, ["-y"], message: message)
        XCTAssertEqual(symbols.text.trimmingCharacters(in: .whitespacesAndNewlines), "SIFT_UNSURE")
    }

    func testHeadersModeRewritesTheHeadersAndSpamcKeepsTheBody() async throws {
        let spamc = try SpamcProgram.require()
        let (_, socket) = try await startWithSpamc(spamThreshold: 0.001)
        let outcome = try await spamc.run(socket: socket, ["--headers"], message: message)
        XCTAssertEqual(outcome.status, 0, outcome.text)
        XCTAssertEqual(Array(outcome.output.suffix(message.count)), message)
        XCTAssertEqual(headerFields(outcome.text)["X-Spam-Flag"], "YES")
    }

    func testReportAndSymbolsNameTheRule() async throws {
        let spamc = try SpamcProgram.require()
        let (fixture, socket) = try await startWithSpamc(spamThreshold: 0.001)
        let score = try expectedScore(fixture, message)
        let report = try await spamc.run(socket: socket, ["-R"], message: message)
        XCTAssertEqual(report.status, 0, "spamc -R exits 0 whatever the verdict: \(report.text)")
        XCTAssertTrue(report.text.hasPrefix("\(score)/0.0\n"), report.text)
        XCTAssertTrue(report.text.contains("Content analysis details:   (\(score) points, 0.0 required)"), report.text)
        XCTAssertTrue(report.text.contains("SIFT_SPAM"), report.text)
        let symbols = try await spamc.run(socket: socket, ["-y"], message: message)
        XCTAssertEqual(symbols.text.trimmingCharacters(in: .whitespacesAndNewlines), "SIFT_SPAM")
    }

    func testPingNeedsNoAuthorization() async throws {
        let spamc = try SpamcProgram.require()
        let (_, socket) = try await startWithSpamc { $0.authorization = AuthorizationPolicy(allowOwnUID: false) }
        let outcome = try await spamc.run(socket: socket, ["-K"], message: [])
        XCTAssertEqual(outcome.status, 0, outcome.text)
    }

    /// The current labels by label, from `stats`.
    private func labels(_ fixture: DaemonFixture) throws -> JSONValue? {
        try fixture.connect().call(["op": "stats"])["new_labels"]?["by_label"] ?? nil
    }

    func testLearnStoresLabelledMessagesAndForgetWithdrawsThem() async throws {
        let spamc = try SpamcProgram.require()
        let (fixture, socket) = try await startWithSpamc()
        let learned = try await spamc.run(socket: socket, ["-L", "spam"], message: message)
        XCTAssertEqual(learned.status, 0)
        XCTAssertEqual(learned.text, "Message successfully un/learned\n")
        _ = try await spamc.run(socket: socket, ["-L", "ham"], message: otherMessage)
        XCTAssertEqual(try labels(fixture), ["ham": 1, "spam": 1])

        let forgotten = try await spamc.run(socket: socket, ["-L", "forget"], message: message)
        XCTAssertEqual(forgotten.text, "Message successfully un/learned\n")
        XCTAssertEqual(try labels(fixture), ["ham": 1])
        let again = try await spamc.run(socket: socket, ["-L", "forget"], message: message)
        XCTAssertEqual(again.text, "Message was already un/learned\n", "nothing left to withdraw")
    }

    func testARefusedPeerGetsNoPermissionAndNothingIsStored() async throws {
        let spamc = try SpamcProgram.require()
        let (fixture, socket) = try await startWithSpamc { $0.authorization = AuthorizationPolicy(allowOwnUID: false) }
        let outcome = try await spamc.run(socket: socket, ["-L", "spam"], message: message)
        XCTAssertNotEqual(outcome.text, "Message successfully un/learned\n")
        XCTAssertEqual(try labels(fixture), [:])
        let metrics = try fixture.connect().call(["op": "metrics"])["metrics"]?.stringValue ?? ""
        XCTAssertTrue(metrics.contains("sift_spamc_errors_total{status=\"EX_NOPERM\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("sift_spamc_requests_total{method=\"TELL\"} 1"), metrics)
    }
}
