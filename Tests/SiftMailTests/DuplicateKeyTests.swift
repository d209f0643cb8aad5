import Checksum
import SiftMail
import XCTest

final class DuplicateKeyTests: XCTestCase {
    private func key(_ text: String) -> String { DuplicateKey.of(Array(text.utf8)) }

    func testMessageIDIsNormalised() {
        XCTAssertEqual(key("Message-ID: <abc@example.com>\nSubject: a\n\nx\n"), "message-id:abc@example.com")
        XCTAssertEqual(key("message-id:   abc@example.com  \r\nSubject: b\r\n\r\ny\r\n"), "message-id:abc@example.com")
        XCTAssertEqual(key("From env\nMessage-Id:\n <abc@example.com> (comment)\n\nz\n"), "message-id:abc@example.com")
        XCTAssertNotEqual(key("Message-ID: <ABC@example.com>\n\nx\n"), key("Message-ID: <abc@example.com>\n\nx\n"),
                          "the local part is case-sensitive")
    }

    func testWithoutMessageIDTheContentHashDecides() {
        let message = "Subject: no id\n\nbody\n"
        XCTAssertEqual(key(message), "sha256:" + SHA256.hex(Array(message.utf8)))
        XCTAssertEqual(key("Message-ID: <>\n\nbody\n"), "sha256:" + SHA256.hex(Array("Message-ID: <>\n\nbody\n".utf8)))
        XCTAssertNotEqual(key(message), key("Subject: no id\n\nanother body\n"))
    }
}
