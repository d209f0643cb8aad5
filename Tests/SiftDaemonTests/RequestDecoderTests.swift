import SiftJSON
import XCTest
@testable import SiftDaemon

final class RequestDecoderTests: XCTestCase {
    private func decode(_ text: String) -> RequestDecoder.Outcome { RequestDecoder.decode(Array(text.utf8)) }

    private func error(_ outcome: RequestDecoder.Outcome) -> (ErrorCode, JSONValue?)? {
        if case let .error(error, ref) = outcome { return (error.code, ref) }
        return nil
    }

    func testALineNotStartingWithABraceIsATextToClassify() throws {
        guard case let .request(request) = decode("  {not json, just text}\r") else { return XCTFail() }
        XCTAssertEqual(request.op, "classify")
        XCTAssertNil(request.ref)
        XCTAssertEqual(try request.fields.text(), "  {not json, just text}")
    }

    func testJSONRequestKeepsOpRefAndFields() throws {
        guard case let .request(request) = decode(#"{"op":"correct","message_id":7,"label":"ham","ref":{"x":1},"extra":true}"#) else {
            return XCTFail()
        }
        XCTAssertEqual(request.op, "correct")
        XCTAssertEqual(request.ref, .object([("x", .int(1))]))
        XCTAssertEqual(try request.fields.messageID(), 7)
        XCTAssertEqual(try request.fields.string("label"), "ham")
    }

    func testEnvelopeErrors() {
        XCTAssertEqual(error(decode("{oops"))?.0, .malformedJSON)
        XCTAssertEqual(error(decode(#"{"ref":5}"#))?.0, .missingField)
        XCTAssertEqual(error(decode(#"{"ref":5}"#))?.1, .int(5))
        XCTAssertEqual(error(decode(#"{"op":3,"ref":"r"}"#))?.0, .wrongType)
        XCTAssertEqual(error(RequestDecoder.decode([0x68, 0xFF, 0x69]))?.0, .invalidUTF8)
        XCTAssertEqual(error(RequestDecoder.decode([0x7B, 0xC3]))?.0, .invalidUTF8)
    }

    func testFieldErrorsNameTheField() {
        let fields = RequestFields([("text", .string(" \t ")), ("message_id", .string("4")), ("days", .double(2.5)), ("neg", .int(-1))])
        XCTAssertThrowsError(try fields.text()) { XCTAssertEqual(($0 as? ProtocolError)?.code, .emptyText) }
        XCTAssertThrowsError(try fields.messageID()) {
            XCTAssertEqual(($0 as? ProtocolError)?.code, .wrongType)
            XCTAssertEqual(($0 as? ProtocolError)?.field, "message_id")
        }
        XCTAssertThrowsError(try fields.optionalInt("days")) { XCTAssertEqual(($0 as? ProtocolError)?.code, .wrongType) }
        XCTAssertThrowsError(try fields.string("label")) { XCTAssertEqual(($0 as? ProtocolError)?.code, .missingField) }
        XCTAssertThrowsError(try fields.messageID("neg")) { XCTAssertEqual(($0 as? ProtocolError)?.code, .invalidValue) }
    }

    func testReplyLinesPutRefFirstAndEndWithNewline() {
        let success = Reply.success([("ok", .bool(true))]).line(ref: .string("a"))
        XCTAssertEqual(String(decoding: success, as: UTF8.self), "{\"ref\":\"a\",\"ok\":true}\n")
        let failure = Reply.failure(ProtocolError(.unknownLabel, "no", field: "label")).line(ref: nil)
        XCTAssertEqual(String(decoding: failure, as: UTF8.self), #"{"error":{"code":"unknown_label","message":"no","field":"label"}}"# + "\n")
    }
}
