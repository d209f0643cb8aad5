import SiftMail
import XCTest

/// The layout's header lines: unfolding, encoded words, the sender, missing headers.
final class HeaderTests: XCTestCase {
    func testLayoutOfASimpleMessage() throws {
        let text = try Mail.text("From: Jane Doe <jane@Example.COM>\nSubject: Hello there\n\nBody  text\nsecond   line\n")
        XCTAssertEqual(text, "Subject: Hello there\nFrom: Jane Doe <example.com>\n\nBody text\nsecond line")
    }

    func testFoldedSubjectIsUnfolded() throws {
        let text = try Mail.text("Subject: a long\n subject\n\tfolded\nFrom: x@y.org\n\nbody")
        XCTAssertTrue(text.hasPrefix("Subject: a long subject folded\nFrom: <y.org>\n\n"), text)
    }

    func testEncodedWordsBAndQ() throws {
        let text = try Mail.text("""
            Subject: =?UTF-8?B?SGVsbG8gd8O2cmxk?= and =?iso-8859-1?Q?caf=E9_cr=E8me?=
            From: =?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <j@mail.example>

            hi
            """)
        XCTAssertTrue(text.hasPrefix("Subject: Hello wörld and café crème\nFrom: Jürgen Müller <mail.example>\n"), text)
    }

    func testWhiteSpaceBetweenEncodedWordsIsDroppedAndSplitCharactersJoin() throws {
        // "€" (E2 82 AC) split across two words.
        let text = try Mail.text("Subject: =?utf-8?Q?price_=E2=82?=   =?utf-8?Q?=AC5?=\n\nx")
        XCTAssertTrue(text.hasPrefix("Subject: price €5\n"), text)
    }

    func testBrokenEncodedWordStaysAsWritten() throws {
        let text = try Mail.text("Subject: =?utf-8?X?abc?= and =?unterminated\n\nx")
        XCTAssertTrue(text.hasPrefix("Subject: =?utf-8?X?abc?= and =?unterminated\n"), text)
    }

    func testSenderForms() throws {
        XCTAssertTrue(try Mail.text("From: \"Dr Bello\" <b@yahoo.ca>\n\nx").contains("From: Dr Bello <yahoo.ca>\n"))
        XCTAssertTrue(try Mail.text("From: kre@munnari.OZ.AU (Robert Elz)\n\nx").contains("From: Robert Elz <munnari.oz.au>\n"))
        XCTAssertTrue(try Mail.text("From: bare@host.example\n\nx").contains("From: <host.example>\n"))
        XCTAssertTrue(try Mail.text("From: Only A Name\n\nx").contains("From: \n"))
        XCTAssertTrue(try Mail.text("Subject: s\n\nx").contains("From: \n\nx"))
    }

    func testNoHeadersAtAllIsAllBody() throws {
        XCTAssertEqual(try Mail.text("just some words\nand more"), "Subject: \nFrom: \n\njust some words\nand more")
    }

    func testMboxFromLineIsSkipped() throws {
        let text = try Mail.text("From someone@example.com Mon Jan 1 00:00:00 2002\nSubject: hi\n\nbody")
        XCTAssertEqual(text, "Subject: hi\nFrom: \n\nbody")
    }

    func testLineEndsCRLFAndMixed() throws {
        let message = "Subject: crlf\n folded\nFrom: A <a@b.example>\n\nline one\nline two"
        let expected = "Subject: crlf folded\nFrom: A <b.example>\n\nline one\nline two"
        XCTAssertEqual(try Mail.text(message, lineEnd: "\r\n"), expected)
        let mixed = "Subject: crlf\r\n folded\nFrom: A <a@b.example>\r\n\r\nline one\nline two"
        XCTAssertEqual(try Mail.text(mixed), expected)
    }

    func testEmptyInputAndNothingToReadAreErrors() {
        XCTAssertThrowsError(try MailText.modelText(of: [])) { XCTAssertEqual($0 as? MailTextError, .empty) }
        XCTAssertThrowsError(try Mail.text(" \r\n\n")) { XCTAssertEqual($0 as? MailTextError, .empty) }
        XCTAssertThrowsError(try Mail.text("X-Header: only\n\n")) { XCTAssertEqual($0 as? MailTextError, .noText) }
    }

    func testHeadersWithoutBodyGiveText() throws {
        XCTAssertEqual(try Mail.text("Subject: no body"), "Subject: no body\nFrom: \n\n")
    }
}
