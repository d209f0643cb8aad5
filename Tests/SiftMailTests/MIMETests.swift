import SiftMail
import XCTest

/// Multipart structure, transfer encodings and attachments.
final class MIMETests: XCTestCase {
    func testNestedMultipartInOrderWithAlternativeReadOnce() throws {
        let text = try Mail.text("""
            Subject: nested
            Content-Type: multipart/mixed; boundary="outer"

            preamble is skipped
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain

            plain version
            --inner
            Content-Type: text/html

            <p>html version</p>
            --inner--
            --outer
            Content-Type: text/plain

            second part
            --outer--
            epilogue is skipped
            """)
        XCTAssertEqual(Mail.body(text), "plain version\nsecond part")
    }

    func testAlternativeWithEmptyPlainTextReadsTheHTML() throws {
        let text = try Mail.text("""
            Content-Type: multipart/alternative; boundary=b

            --b
            Content-Type: text/plain

            --b
            Content-Type: text/html

            <b>Buy</b> now
            --b--
            """)
        XCTAssertEqual(Mail.body(text), "Buy now")
    }

    func testQuotedPrintableSoftBreaksAndEscapes() throws {
        let text = try Mail.text("""
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            soft=\u{20}
            break and caf=E9 =3D equals, bad =ZZ escape, contractor =28Beneficiary=29=2E
            """, lineEnd: "\r\n")
        XCTAssertEqual(Mail.body(text), "softbreak and café = equals, bad =ZZ escape, contractor (Beneficiary).")
    }

    func testBase64BodyAndBadBase64() throws {
        let good = try Mail.text("Content-Transfer-Encoding: base64\nContent-Type: text/plain; charset=utf-8\n\n\(Mail.base64("Grüße aus Köln"))\n")
        XCTAssertEqual(Mail.body(good), "Grüße aus Köln")
        // Junk inside and a missing end still give the bytes that are there.
        let bad = try Mail.text("Content-Transfer-Encoding: BASE64\n\nSGVs*bG8g!d29y\nbGQ")
        XCTAssertEqual(Mail.body(bad), "Hello world")
    }

    func testAttachmentsAreNameAndTypeOnly() throws {
        let text = try Mail.text("""
            Subject: invoice
            Content-Type: multipart/mixed; boundary="==b=="

            --==b==
            Content-Type: text/plain

            See attached.
            --==b==
            Content-Type: application/zip; name="invoice.zip"
            Content-Disposition: attachment; filename="invoice.zip"
            Content-Transfer-Encoding: base64

            \(Mail.base64("SECRET-ZIP-CONTENT"))
            --==b==
            Content-Type: text/plain; name=notes.txt
            Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.txt

            text of an attached file
            --==b==
            Content-Type: image/gif

            GIF89a
            --==b==--
            """)
        XCTAssertEqual(Mail.body(text), """
            See attached.
            [attachment: invoice.zip application/zip]
            [attachment: résumé.txt text/plain]
            [attachment: image/gif]
            """)
    }

    func testForwardedMessageBodyIsRead() throws {
        let text = try Mail.text("""
            Subject: fwd
            Content-Type: message/rfc822

            Subject: inner
            Content-Type: text/plain

            inner words
            """)
        XCTAssertEqual(Mail.body(text), "inner words")
    }

    func testMissingOrWrongBoundaryReadsTheBodyAsText() throws {
        let noParameter = try Mail.text("Content-Type: multipart/mixed\n\nwords here")
        XCTAssertEqual(Mail.body(noParameter), "words here")
        let wrong = try Mail.text("Content-Type: multipart/mixed; boundary=abc\n\n--xyz\n\nwords\n--xyz--")
        XCTAssertEqual(Mail.body(wrong), "--xyz\nwords\n--xyz--")
        // No close delimiter: the last part runs to the end.
        let unclosed = try Mail.text("Content-Type: multipart/mixed; boundary=abc\n\n--abc\n\nfirst\n--abc\n\nsecond")
        XCTAssertEqual(Mail.body(unclosed), "first\nsecond")
    }

    func testABoundaryThatStartsWithAnotherIsNotConfused() throws {
        let text = try Mail.text("""
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: multipart/mixed; boundary="b2"

            --b2

            one
            --b2--
            --b

            two
            --b--
            """)
        XCTAssertEqual(Mail.body(text), "one\ntwo")
    }

    func testDeepNestingIsBoundedNotACrash() throws {
        var message = "Subject: deep\n"
        let depth = 5000
        for level in 0..<depth { message += "Content-Type: multipart/mixed; boundary=\"l\(level)\"\n\n--l\(level)\n" }
        message += "Content-Type: text/plain\n\nbottom\n"
        let text = try Mail.text(message)
        XCTAssertTrue(text.hasPrefix("Subject: deep\n"))
        XCTAssertFalse(text.contains("bottom"), "parts deeper than maxDepth are skipped")
        // Within the limit the text is found.
        var shallow = "Subject: shallow\n"
        for level in 0..<10 { shallow += "Content-Type: multipart/mixed; boundary=\"l\(level)\"\n\n--l\(level)\n" }
        shallow += "Content-Type: text/plain\n\nbottom\n"
        XCTAssertEqual(Mail.body(try Mail.text(shallow)), "bottom")
    }
}
