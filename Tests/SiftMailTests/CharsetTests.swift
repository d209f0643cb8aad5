import SiftMail
import XCTest

/// Each charset read by hand, one through iconv, and the fallbacks.
final class CharsetTests: XCTestCase {
    private func body(charset: String, _ bytes: [UInt8]) throws -> String {
        let head = Array("Subject: c\nContent-Type: text/plain; charset=\"\(charset)\"\n\n".utf8)
        return Mail.body(try MailText.modelText(of: head + bytes))
    }

    func testUTF8AndASCII() throws {
        XCTAssertEqual(try body(charset: "utf-8", Array("naïve €".utf8)), "naïve €")
        XCTAssertEqual(try body(charset: "us-ascii", Array("plain".utf8)), "plain")
    }

    func testInvalidUTF8FallsBackToWindows1252PerByte() throws {
        XCTAssertEqual(try body(charset: "utf-8", [0x63, 0x61, 0x66, 0xE9, 0x20, 0x80]), "café €")
    }

    func testLatin1() throws {
        XCTAssertEqual(try body(charset: "ISO-8859-1", [0x63, 0x61, 0x66, 0xE9, 0x20, 0xA4]), "café ¤")
    }

    func testLatin9() throws {
        XCTAssertEqual(try body(charset: "iso-8859-15", [0xA4, 0x35, 0x20, 0xBD, 0x75, 0x76, 0x72, 0x65]), "€5 œuvre")
    }

    func testWindows1252() throws {
        XCTAssertEqual(try body(charset: "windows-1252", [0x93, 0x68, 0x69, 0x94, 0x20, 0x80, 0x20, 0x99]), "\u{201C}hi\u{201D} € ™")
    }

    func testOtherCharsetsThroughIconv() throws {
        // KOI8-R "привет"
        XCTAssertEqual(try body(charset: "koi8-r", [0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]), "привет")
        // Big5, as in the corpus's spam/00252 subject.
        XCTAssertEqual(try body(charset: "big5", [0xA4, 0xA3, 0xAC, 0xDD]), "不看")
    }

    func testUnknownAndBogusCharsetsFallBack() throws {
        XCTAssertEqual(try body(charset: "x-no-such-charset", [0x63, 0x61, 0x66, 0xE9]), "café")
        XCTAssertEqual(try body(charset: "../../etc/passwd//TRANSLIT", [0x63, 0x61, 0x66, 0xE9]), "café")
        XCTAssertEqual(try body(charset: "", [0x68, 0x69]), "hi")
    }
}
