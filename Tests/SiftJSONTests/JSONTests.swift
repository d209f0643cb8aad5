import SiftJSON
import XCTest

final class JSONTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func testParsesEveryKindOfValueKeepingIntegersAndKeyOrder() throws {
        let value = try parse(#" {"b":1,"a":[true,false,null],"c":-2.5e1,"d":"x\"\\\/\n\u00e9\ud83d\ude00","e":{}} "#)
        XCTAssertEqual(value, .object([
            ("b", .int(1)), ("a", .array([.bool(true), .bool(false), .null])), ("c", .double(-25)),
            ("d", .string("x\"\\/\né😀")), ("e", .object([])),
        ]))
        XCTAssertEqual(try parse("1.0"), .double(1))
        XCTAssertEqual(try parse("-0"), .int(0))
        XCTAssertEqual(try parse("9223372036854775807"), .int(.max))
        XCTAssertEqual(try parse("9223372036854775808"), .double(9_223_372_036_854_775_808))
    }

    func testRejectsWhatJSONDoesNotAllow() {
        for text in ["", "{", "{\"a\":}", "[1,]", "01", "1.", "tru", "\"\u{01}\"", "\"\\x\"", "{} {}", "'a'", "\"\\ud800\"", "NaN", "1e999"] {
            XCTAssertThrowsError(try parse(text), "accepted \(text.debugDescription)")
        }
    }

    func testNestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertThrowsError(try parse(deep)) { error in
            XCTAssertTrue((error as? JSONParser.Failure)?.reason.contains("nested") ?? false)
        }
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 60) + String(repeating: "]", count: 60)))
    }

    /// A text cut anywhere fails saying its input ended (how a truncated file is told from a
    /// malformed one); complete text that is wrong does not.
    func testFailureSaysWhetherTheInputEnded() throws {
        let whole = Array(#"{"a":[1,-2.5e3,true,null,"x\u00e9\ud83d\ude00"],"b":{}}"#.utf8)
        XCTAssertNoThrow(try JSONParser.parse(whole))
        for length in 0..<whole.count {
            XCTAssertThrowsError(try JSONParser.parse(whole[..<length])) { error in
                XCTAssertEqual((error as? JSONParser.Failure)?.inputEnded, true, "cut at \(length)")
            }
        }
        for text in ["{\"a\" 1}", "[1,]", "{} x", "\"\\x\"", "trux", "tx", "1e999", "\"\\ud800x\"", "\"\\ud800x", "\"\\u0z"] {
            XCTAssertThrowsError(try parse(text)) { error in
                XCTAssertEqual((error as? JSONParser.Failure)?.inputEnded, false, text)
            }
        }
    }

    func testWriterEscapesOnlyWhatItMustAndReadsBack() throws {
        let value = JSONValue.object([
            ("text", .string("tab\tquote\" back\\ nl\n bell\u{07} é 😀")), ("n", .int(-3)), ("p", .double(0.5)),
            ("list", .array([.null, .bool(true)])),
        ])
        let written = JSONWriter.string(value)
        XCTAssertEqual(written, #"{"text":"tab\tquote\" back\\ nl\n bell\u0007 é 😀","n":-3,"p":0.5,"list":[null,true]}"#)
        XCTAssertEqual(try parse(written), value)
    }

    func testFloatsAreWrittenWithTheirShortestDigits() {
        XCTAssertEqual(JSONWriter.string(.number(Float(0.991))), "0.991")
        XCTAssertEqual(JSONWriter.string(.number(Float.nan)), "null")
    }
}
