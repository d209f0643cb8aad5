import Foundation
import SiftMail
import TestSupport
import XCTest

/// Splitting mbox files: envelopes, quoting, line ends, odd endings.
final class MboxTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUp() async throws {
        directory = try TemporaryDirectory()
    }

    /// The messages of an mbox file holding `contents`.
    private func messages(_ contents: String) throws -> [String] {
        let path = directory.path("box.mbox")
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return try Mailbox.files(at: path).flatMap { $0.messages() }.map { String(decoding: try $0.get().bytes, as: UTF8.self) }
    }

    func testSplitsOnFromLinesAfterABlankLineOnly() throws {
        let mbox = """
            From alice@example.com Thu Aug 22 13:17:22 2002
            Subject: one

            Hello.
            From the desk of nobody: not a new message, no blank line before it.

            From bob@example.com Fri Aug 23 10:00:00 2002
            Subject: two

            Second.

            """
        XCTAssertEqual(try messages(mbox), [
            "Subject: one\n\nHello.\nFrom the desk of nobody: not a new message, no blank line before it.\n",
            "Subject: two\n\nSecond.\n",
        ])
    }

    func testUndoesMboxrdQuoting() throws {
        let mbox = "From a Thu Aug 22 13:17:22 2002\nSubject: q\n\n>From here on\n>>From quoted twice\n> From is not quoting\n>Fromage\n"
        XCTAssertEqual(try messages(mbox), ["Subject: q\n\nFrom here on\n>From quoted twice\n> From is not quoting\n>Fromage\n"])
    }

    func testKeepsCRLFLineEnds() throws {
        let mbox = "From a Thu Aug 22 2002\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom b Thu Aug 22 2002\r\nSubject: two\r\n\r\n>From x\r\n"
        XCTAssertEqual(try messages(mbox), ["Subject: one\r\n\r\nbody\r\n", "Subject: two\r\n\r\nFrom x\r\n"])
    }

    func testLastMessageWithoutTrailingNewlineIsKept() throws {
        XCTAssertEqual(try messages("From a Thu\nSubject: s\n\nno newline at the end"), ["Subject: s\n\nno newline at the end"])
    }

    func testEmptyFileHasNoMessages() throws {
        XCTAssertEqual(try messages(""), [])
    }

    func testNumbersMessagesInTheirOrigin() throws {
        let path = directory.path("box.mbox")
        try Data("From a\nSubject: 1\n\nx\n\nFrom b\nSubject: 2\n\ny\n".utf8).write(to: URL(fileURLWithPath: path))
        let origins = try Mailbox.files(at: path).flatMap { $0.messages() }.map { try $0.get().origin }
        XCTAssertEqual(origins, [path + "#1", path + "#2"])
    }

    /// A line far longer than the read chunk is one line, and a message spanning chunks is whole.
    func testMessagesLongerThanAChunk() throws {
        let long = String(repeating: "x", count: 3 << 20)
        XCTAssertEqual(try messages("From a\nSubject: big\n\n\(long)\n\nFrom b\nSubject: small\n\nz\n"),
                       ["Subject: big\n\n\(long)\n", "Subject: small\n\nz\n"])
    }
}
