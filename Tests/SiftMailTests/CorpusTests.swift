import SiftMail
import XCTest

/// Real mail from ../shared: known messages, and every one of the 3000.
final class CorpusTests: XCTestCase {
    func testEveryCorpusMessageGivesText() throws {
        let messages = try Mail.corpus()
        XCTAssertEqual(messages.count, 3000)
        var withoutBody: [String] = []
        for (name, bytes) in messages {
            let text: String
            do { text = try MailText.modelText(of: bytes) } catch {
                XCTFail("\(name): \(error)")
                continue
            }
            XCTAssertTrue(text.hasPrefix("Subject: "), name)
            XCTAssertTrue(text.contains("\nFrom: "), name)
            XCTAssertLessThanOrEqual(text.unicodeScalars.count, MailText.defaultBudget, name)
            if Mail.body(text).isEmpty { withoutBody.append(name) }
        }
        // Nearly all have a readable body; the few that do not are attachments-only or empty upstream.
        XCTAssertLessThan(withoutBody.count, 10, "\(withoutBody)")
    }

    func testKnownHamMessage() throws {
        let text = try MailText.modelText(of: try Mail.corpusMessage("easy_ham/00001.7c53336b37003a9286aba55d2945844c"))
        XCTAssertTrue(text.hasPrefix("Subject: Re: New Sequences Window\nFrom: Robert Elz <munnari.oz.au>\n\n"), text)
        XCTAssertTrue(text.contains("For me it is very repeatable... (like every time, without fail)."), text)
    }

    func testKnownQuotedPrintableSpamWithAttachment() throws {
        let text = try MailText.modelText(of: try Mail.corpusMessage("spam/00022.8203cdf03888f656dc0381701148f73d"))
        XCTAssertTrue(text.hasPrefix("Subject: Relationship\nFrom: Dr Bello Ahmed <yahoo.ca>\n\nURGENT PRIVATE & EXTREMELY CONFIDENTIAL\nDear ,\n"), text)
        XCTAssertTrue(text.contains("contractor (Beneficiary). You should not be surprised"), text)
        XCTAssertTrue(text.contains("[attachment: 111111111111111111.txt application/octet-stream]"), text)
    }

    func testKnownHTMLSpam() throws {
        let text = try MailText.modelText(of: try Mail.corpusMessage("spam/00001.7848dde101aa985090474a91ec93fcf0"))
        XCTAssertTrue(text.hasPrefix("Subject: Life Insurance - Why Pay More?\nFrom: <web.de>\n\n"), text)
        XCTAssertFalse(Mail.body(text).contains("<"), text)
        XCTAssertTrue(text.contains("PLEASE CLICK HERE [btamail.net.cn] AND TYPE REMOVE"), text)
    }

    func testKnownEncodedSubjectsInOtherCharsets() throws {
        let big5 = try MailText.modelText(of: try Mail.corpusMessage("spam/00252.7e355e0c5fd1de609684544262435579"))
        XCTAssertTrue(big5.hasPrefix("Subject: 不看會後悔\n"), big5)
        let japanese = try MailText.modelText(of: try Mail.corpusMessage("spam/00263.13fc73e09ae15e0023bdb13d0a010f2d"))
        XCTAssertTrue(japanese.hasPrefix("Subject: しじみともものコラボレーション\n"), japanese)
    }
}
