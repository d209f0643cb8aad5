import Foundation
import SiftMail
import XCTest

/// The character budget, and that a huge message costs what its beginning costs.
final class BudgetTests: XCTestCase {
    func testTextIsCutAtTheBudget() throws {
        let words = String(repeating: "wörd ", count: 1000)
        let text = try Mail.text("Subject: s\n\n" + words, budget: 100)
        XCTAssertEqual(text.unicodeScalars.count, 100)
        XCTAssertTrue(text.hasPrefix("Subject: s\nFrom: \n\nwörd wörd"))
        XCTAssertEqual(try Mail.text("Subject: s\n\n" + words).unicodeScalars.count, MailText.defaultBudget)
        // A budget smaller than the layout cuts the layout.
        XCTAssertEqual(try Mail.text("Subject: hello\n\nbody", budget: 5), "Subje")
    }

    func testBudgetIsNotSpentOnWhiteSpaceOrInvisibleCharacters() throws {
        let text = try Mail.text("Subject: s\n\n" + String(repeating: " \n\t\u{200B}", count: 1000) + "word")
        XCTAssertEqual(Mail.body(text), "word")
    }

    func testAPartCutAtTheRawLimitDoesNotEndInJunk() throws {
        let text = try Mail.text("Subject: s\n\n" + String(repeating: " \n\t\u{200B}", count: 10_000) + "word")
        XCTAssertEqual(text, "Subject: s\nFrom: \n\n")
    }

    func testTenMebibyteMessageCostsAboutWhatItsStartCosts() throws {
        let attachment = String(repeating: String(repeating: "QUFB", count: 19) + "\n", count: 140_000)  // ~10.6 MB of base64
        let large = Array("""
            Subject: big
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            \(String(repeating: "the quick brown fox ", count: 1000))
            --b
            Content-Type: application/octet-stream; name=big.bin
            Content-Transfer-Encoding: base64

            \(attachment)
            --b
            Content-Type: text/html

            \(String(repeating: "<p>more</p>", count: 500_000))
            --b--
            """.utf8)
        XCTAssertGreaterThan(large.count, 10 << 20)
        let small = Array(large.prefix(8192))
        let largeText = try MailText.modelText(of: large)
        XCTAssertEqual(largeText, try MailText.modelText(of: small), "the budget is filled by the first text part")
        XCTAssertEqual(largeText.unicodeScalars.count, MailText.defaultBudget)
        // What it costs is a benchmark's figure (`sift bench mail-extract`), not a timed test.
    }

    func testHugeHTMLPartIsDecodedOnlyAsFarAsNeeded() throws {
        let html = "Subject: s\nContent-Type: text/html\n\n" + String(repeating: "<font color=red></font>", count: 500_000) + "late words"
        let text = try Mail.text(html)
        XCTAssertEqual(text, "Subject: s\nFrom: \n\n", "the words are beyond the raw prefix read for the budget")
    }
}
