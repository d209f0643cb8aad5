import SiftMail
import XCTest

/// `sift check --passthrough`'s header insertion: the added lines and nothing else changes.
final class AddedHeadersTests: XCTestCase {
    private let fields = [(name: "X-Sift-Status", value: "spam; p=0.990"), (name: "X-Spam-Flag", value: "YES")]

    private func inserted(_ message: String) -> String {
        String(decoding: AddedHeaders.inserting(fields, into: Array(message.utf8)), as: UTF8.self)
    }

    func testLFMessage() {
        XCTAssertEqual(inserted("Subject: hi\nFrom: a@b\n\nbody\n"),
                       "X-Sift-Status: spam; p=0.990\nX-Spam-Flag: YES\nSubject: hi\nFrom: a@b\n\nbody\n")
    }

    func testCRLFMessageGetsCRLFLines() {
        XCTAssertEqual(inserted("Subject: hi\r\n\r\nbody\r\n"),
                       "X-Sift-Status: spam; p=0.990\r\nX-Spam-Flag: YES\r\nSubject: hi\r\n\r\nbody\r\n")
    }

    func testMboxEnvelopeStaysFirst() {
        XCTAssertEqual(inserted("From a@b Thu Aug 22 2002\nSubject: hi\n\nx"),
                       "From a@b Thu Aug 22 2002\nX-Sift-Status: spam; p=0.990\nX-Spam-Flag: YES\nSubject: hi\n\nx")
    }

    func testTextWithoutHeadersStaysTheBody() {
        XCTAssertEqual(inserted("just text\n"), "X-Sift-Status: spam; p=0.990\nX-Spam-Flag: YES\n\njust text\n")
        XCTAssertEqual(inserted("\nbody after an empty header section\n"),
                       "X-Sift-Status: spam; p=0.990\nX-Spam-Flag: YES\n\nbody after an empty header section\n")
    }
}
