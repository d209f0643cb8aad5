import XCTest
@testable import SiftDaemon

/// What a SPAMC reply says about a message: the score mapping, the headers added to it (and
/// that nothing else of it changes), and how TELL headers are read.
final class SpamcMarkupTests: XCTestCase {
    private let spam = SpamcVerdict(kind: .spam, spamProbability: 0.971, spamThreshold: 0.5, messageID: 42, modelVersion: "r7")
    private let unsure = SpamcVerdict(kind: .unsure, spamProbability: 0.45, spamThreshold: 0.5, messageID: 43, modelVersion: "r7")

    func testScoreIsTenTimesTheProbabilityWithOneDecimal() {
        XCTAssertEqual(spam.spamHeader, "True ; 9.7 / 5.0")
        XCTAssertEqual(unsure.spamHeader, "False ; 4.5 / 5.0")
        XCTAssertEqual(unsure.rule, "SIFT_UNSURE")
        let certain = SpamcVerdict(kind: .ham, spamProbability: 0, spamThreshold: 0.999, messageID: 1, modelVersion: "x")
        XCTAssertEqual(certain.spamHeader, "False ; 0.0 / 10.0")
    }

    /// Exim reads only the two numbers (spam when score ≥ required): near the threshold the
    /// rounded score must still fall on the verdict's side.
    func testTheWrittenScoreNeverContradictsTheVerdict() {
        func header(_ kind: Verdict, _ p: Double, threshold: Double = 0.5) -> String {
            SpamcVerdict(kind: kind, spamProbability: p, spamThreshold: threshold, messageID: 1, modelVersion: "x").spamHeader
        }
        XCTAssertEqual(header(.ham, 0.496), "False ; 4.9 / 5.0")
        XCTAssertEqual(header(.unsure, 0.4999), "False ; 4.9 / 5.0")
        XCTAssertEqual(header(.spam, 0.5), "True ; 5.0 / 5.0")
        XCTAssertEqual(header(.spam, 0.9991, threshold: 0.9991), "True ; 10.0 / 10.0")
        XCTAssertEqual(header(.ham, 0.9985, threshold: 0.999), "False ; 9.9 / 10.0")
        XCTAssertEqual(header(.ham, 0.31), "False ; 3.1 / 5.0")
        // A broken model's NaN is written as 0, not a crash.
        XCTAssertEqual(header(.ham, .nan), "False ; 0.0 / 5.0")
        let marked = SpamHeaders(SpamcVerdict(kind: .ham, spamProbability: .nan, spamThreshold: 0.5, messageID: 1, modelVersion: "x"), host: "h")
        XCTAssertTrue(marked.fields.contains { $0.name == "X-Spam-Level" && $0.value.isEmpty })
        for tenth in 0...1000 {
            let p = Double(tenth) / 1000
            for kind in [Verdict.spam, .ham] where (kind == .spam) == (p >= 0.5) {
                let numbers = header(kind, p).split(separator: ";")[1].split(separator: "/").map { Double($0.trimmingCharacters(in: .whitespaces))! }
                XCTAssertEqual(numbers[0] >= numbers[1], kind == .spam, "P = \(p)")
            }
        }
    }

    /// The names of the fields in CRLF-ended `text`.
    private func fieldNames(_ text: String) -> [String] {
        text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.compactMap { $0.split(separator: ":").first.map(String.init) }
    }

    func testHeadersGoOnTopInTheMessagesLineEndingsAndTheRestIsUnchanged() {
        let message = Array("Subject: win\r\nFrom: a@b.example\r\n\r\nbody\r\n".utf8)
        let marked = SpamHeaders(spam, host: "mx").inserted(into: message)
        XCTAssertEqual(Array(marked.suffix(message.count)), message)
        let added = String(decoding: marked.prefix(marked.count - message.count), as: UTF8.self)
        XCTAssertEqual(fieldNames(added), ["X-Spam-Checker-Version", "X-Spam-Flag", "X-Spam-Level", "X-Spam-Status", "X-Sift-Message-Id", "X-Sift-Model"])
        XCTAssertEqual(added.components(separatedBy: "\r\n").count - 1, 6, "every added line ends in CRLF")
        XCTAssertTrue(added.contains("X-Spam-Status: Yes, score=9.7 required=5.0 tests=SIFT_SPAM autolearn=no version=Sift \(SiftVersion.string)\r\n"))
        XCTAssertTrue(added.contains("X-Sift-Message-Id: 42\r\n"))
        XCTAssertTrue(added.contains("X-Spam-Level: *********\r\n"))
    }

    func testNotSpamHasNoFlagAndSaysNo() {
        let marked = String(decoding: SpamHeaders(unsure, host: "mx").inserted(into: Array("Subject: x\n\nhi\n".utf8)), as: UTF8.self)
        XCTAssertFalse(marked.contains("X-Spam-Flag"))
        XCTAssertTrue(marked.contains("X-Spam-Status: No, score=4.5 required=5.0 tests=SIFT_UNSURE"))
        XCTAssertFalse(marked.contains("\r"), "an LF message stays LF")
    }

    func testAnMboxFromLineStaysFirst() {
        let message = Array("From a@b.example Mon Jan  1 00:00:00 2024\nSubject: x\n\nhi\n".utf8)
        let marked = String(decoding: SpamHeaders(spam, host: "mx").inserted(into: message), as: UTF8.self)
        XCTAssertTrue(marked.hasPrefix("From a@b.example Mon Jan  1 00:00:00 2024\nX-Spam-Checker-Version: "))
        XCTAssertTrue(marked.hasSuffix("Subject: x\n\nhi\n"))
    }

    func testAMessageWithoutHeadersGetsABlankLineAfterOurs() {
        let marked = String(decoding: SpamHeaders(spam, host: "mx").inserted(into: Array("just some text\n".utf8)), as: UTF8.self)
        XCTAssertTrue(marked.hasSuffix("X-Sift-Model: r7\n\njust some text\n"), marked)
    }

    func testHeaderBlockEndsWithTheBlankLine() {
        let message = Array("Subject: x\r\nTo: b@c.example\r\n\r\nthe body\r\n".utf8)
        let block = String(decoding: SpamHeaders(spam, host: "mx").headerBlock(of: message), as: UTF8.self)
        XCTAssertTrue(block.hasSuffix("X-Sift-Model: r7\r\nSubject: x\r\nTo: b@c.example\r\n\r\n"), block)
        XCTAssertFalse(block.contains("the body"))
    }

    func testReportNamesTheVerdictTheScoreAndHowToCorrectIt() {
        let report = SpamcReport.text(spam, host: "mx")
        XCTAssertTrue(report.contains("(9.7 points, 5.0 required)"), report)
        XCTAssertTrue(report.contains(" 9.7 SIFT_SPAM"), report)
        XCTAssertTrue(report.contains("sift correct 42 ham"), report)
    }

    private func tell(_ headers: [String: String]) throws(SpamcError) -> SpamcTell {
        try SpamcTell(SpamcRequest(method: .tell, version: "1.5", headers: headers))
    }

    private func tellStatus(_ headers: [String: String]) -> SpamcStatus? {
        do throws(SpamcError) {
            _ = try tell(headers)
            return nil
        } catch {
            return error.status
        }
    }

    func testTellSetLearnsTheClassAndRemoveForgets() throws {
        XCTAssertEqual(try tell(["message-class": "spam", "set": "local"]), SpamcTell(label: "spam"))
        XCTAssertEqual(try tell(["message-class": "HAM", "set": "local, remote"]).operation, "label")
        XCTAssertEqual(try tell(["remove": "local"]).operation, "forget")
    }

    func testTellErrors() {
        XCTAssertEqual(tellStatus(["set": "local"]), .protocolError, "Set without Message-class")
        XCTAssertEqual(tellStatus(["message-class": "maybe", "set": "local"]), .protocolError)
        XCTAssertEqual(tellStatus(["message-class": "spam", "set": "local", "remove": "local"]), .protocolError)
        XCTAssertEqual(tellStatus(["message-class": "spam", "set": "everywhere"]), .protocolError)
        XCTAssertEqual(tellStatus(["message-class": "spam"]), .protocolError, "neither Set nor Remove")
        XCTAssertEqual(tellStatus(["message-class": "spam", "set": "remote"]), .unavailable)
    }
}
