import XCTest
@testable import SiftDaemon

/// The SPAMC request parser on its own: every method, framing by Content-length, and the
/// errors for each way a request can be wrong.
final class SpamcRequestParserTests: XCTestCase {
    private func parse(_ text: String, max: Int = 1 << 20, chunk: Int? = nil, finish: Bool = false) -> SpamcRequestParser.Event {
        parse(Array(text.utf8), max: max, chunk: chunk, finish: finish)
    }

    /// Feeds `bytes` in chunks of `chunk` (all at once by default); returns the first event
    /// that is not `.needMore`, or what `finish()` says when `finish`.
    private func parse(_ bytes: [UInt8], max: Int = 1 << 20, chunk: Int? = nil, finish: Bool = false) -> SpamcRequestParser.Event {
        var parser = SpamcRequestParser(maxMessageBytes: max)
        var start = 0
        while start < bytes.count {
            let end = Swift.min(bytes.count, start + (chunk ?? bytes.count))
            let event = parser.append(bytes[start..<end])
            if event != .needMore { return event }
            start = end
        }
        return finish ? parser.finish() : .needMore
    }

    private func status(_ event: SpamcRequestParser.Event) -> SpamcStatus? {
        if case let .failure(error) = event { return error.status }
        return nil
    }

    private func request(_ event: SpamcRequestParser.Event, file: StaticString = #filePath, line: UInt = #line) throws -> SpamcRequest {
        guard case let .request(request) = event else {
            XCTFail("expected a request, got \(event)", file: file, line: line)
            throw XCTSkip("no request")
        }
        return request
    }

    func testEveryMethodWithAMessageIsFramedByContentLength() throws {
        let message = "Subject: hi\r\n\r\nhello\r\n"
        for method in SpamcMethod.allCases where method.hasBody {
            let text = "\(method.rawValue) SPAMC/1.5\r\nUser: root\r\nContent-length: \(message.utf8.count)\r\n\r\n\(message)"
            let parsed = try request(parse(text))
            XCTAssertEqual(parsed.method, method)
            XCTAssertEqual(parsed.version, "1.5")
            XCTAssertEqual(parsed[header: "User"], "root")
            XCTAssertEqual(parsed.body, Array(message.utf8))
        }
    }

    func testPingAndSkipNeedNoContentLength() throws {
        XCTAssertEqual(try request(parse("PING SPAMC/1.5\r\n\r\n")).method, .ping)
        XCTAssertEqual(try request(parse("SKIP SPAMC/1.5\r\n\r\n")).method, .skip)
    }

    func testByteAtATimeGivesTheSameRequest() throws {
        let text = "TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\nContent-length: 5\r\n\r\nhello"
        let whole = try request(parse(text))
        let dribbled = try request(parse(text, chunk: 1))
        XCTAssertEqual(whole, dribbled)
        XCTAssertEqual(dribbled[header: "message-class"], "spam")
        XCTAssertEqual(dribbled[header: "SET"], "local")
    }

    func testLineFeedsAloneAndAnyCaseOfHeaderNamesAreAccepted() throws {
        let parsed = try request(parse("CHECK SPAMC/1.2\nCONTENT-LENGTH: 3\n\nabc"))
        XCTAssertEqual(parsed.body, Array("abc".utf8))
        XCTAssertEqual(parsed.version, "1.2")
    }

    func testBytesAfterTheMessageAreNotPartOfIt() throws {
        XCTAssertEqual(try request(parse("CHECK SPAMC/1.5\r\nContent-length: 3\r\n\r\nabcdef")).body, Array("abc".utf8))
    }

    func testInvalidUTF8InTheMessageIsKeptAsBytes() throws {
        let body: [UInt8] = [0xFF, 0xFE, 0x00, 0xC3]
        let parsed = try request(parse(Array("PROCESS SPAMC/1.5\r\nContent-length: 4\r\n\r\n".utf8) + body))
        XCTAssertEqual(parsed.body, body)
    }

    func testAMessageWithoutContentLengthIsAProtocolError() {
        XCTAssertEqual(status(parse("CHECK SPAMC/1.5\r\nUser: x\r\n\r\nhello")), .protocolError)
    }

    func testAContentLengthThatIsNotANumberIsAProtocolError() {
        for value in ["abc", "-5", "5 bytes", "", "12345678901234567890123"] {
            XCTAssertEqual(status(parse("CHECK SPAMC/1.5\r\nContent-length: \(value)\r\n\r\nhello")), .protocolError, value)
        }
    }

    func testMalformedRequestLinesAreProtocolErrors() {
        for line in ["CHECK", "CHECK HTTP/1.1", "CHECK SPAMC/", "CHECK SPAMC/1.x", "CHECK SPAMC/1.5 extra", "", "check SPAMC/1.5"] {
            XCTAssertEqual(status(parse("\(line)\r\nContent-length: 1\r\n\r\nx")), .protocolError, line)
        }
    }

    func testAnUnknownMethodIsAProtocolErrorThatNamesIt() {
        guard case let .failure(error) = parse("FROB SPAMC/1.5\r\n\r\n") else { return XCTFail("accepted FROB") }
        XCTAssertEqual(error.status, .protocolError)
        XCTAssertTrue(error.message.contains("FROB"), error.message)
    }

    func testBadHeaderLinesAreProtocolErrors() {
        for header in ["no colon here", ": no name", "Two words: x", "Content-length: 1\r\nContent-length: 1"] {
            XCTAssertEqual(status(parse("CHECK SPAMC/1.5\r\n\(header)\r\nContent-length: 1\r\n\r\nx")), .protocolError, header)
        }
    }

    func testInvalidUTF8InAHeaderIsAProtocolError() {
        let bytes = Array("CHECK SPAMC/1.5\r\nUser: ".utf8) + [0xFF] + Array("\r\nContent-length: 1\r\n\r\nx".utf8)
        XCTAssertEqual(status(parse(bytes)), .protocolError)
    }

    func testEndlessHeadersAreRefusedOnceTooLong() {
        let endless = "CHECK SPAMC/1.5\r\n" + String(repeating: "X-Padding: 0123456789\r\n", count: 2000)
        XCTAssertEqual(status(parse(endless)), .protocolError)
    }

    func testATooBigMessageIsReadToItsEndThenRefused() {
        var parser = SpamcRequestParser(maxMessageBytes: 10)
        XCTAssertEqual(parser.append(Array("CHECK SPAMC/1.5\r\nContent-length: 25\r\n\r\n0123456789".utf8)), .needMore)
        XCTAssertEqual(parser.append(Array("0123456789".utf8)), .needMore)
        guard case let .failure(error) = parser.append(Array("01234".utf8)) else { return XCTFail("not refused") }
        XCTAssertEqual(error.status, .dataError)
        XCTAssertTrue(error.message.contains("too big"), error.message)
    }

    func testAMessageCutShortIsAProtocolErrorAtEndOfInput() {
        let event = parse("CHECK SPAMC/1.5\r\nContent-length: 100\r\n\r\nonly this", finish: true)
        guard case let .failure(error) = event else { return XCTFail("accepted \(event)") }
        XCTAssertEqual(error.status, .protocolError)
        XCTAssertTrue(error.message.contains("9 of its 100"), error.message)
    }

    func testHeadersCutShortAreAProtocolErrorButNothingAtAllIsJustAnEnd() {
        XCTAssertEqual(status(parse("CHECK SPAMC/1.5\r\nContent-le", finish: true)), .protocolError)
        XCTAssertEqual(parse("", finish: true), .end)
    }

    func testARejectedRequestDropsTheRestOfItsMessageThenFails() {
        var parser = SpamcRequestParser(maxMessageBytes: 100)
        XCTAssertEqual(parser.append(Array("CHECK SPAMC/1.5\r\nContent-length: 8\r\n\r\n1234".utf8)), .needMore)
        XCTAssertEqual(parser.announcedLength, 8)
        XCTAssertEqual(parser.reject(SpamcError(.temporaryFailure, "busy")), .needMore)
        XCTAssertEqual(parser.append(Array("5678".utf8)), .failure(SpamcError(.temporaryFailure, "busy")))
    }
}
