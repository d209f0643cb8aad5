import Foundation
import SiftJSON
import XCTest

/// `JSONValue(encoding:)` replaced Foundation's JSONEncoder for stored metrics and `--json`
/// lines; the text must stay what JSONEncoder wrote, and JSONDecoder must read it back.
final class JSONValueEncodingTests: XCTestCase {
    private struct Score: Codable, Equatable {
        var label: String
        var f1: Double
    }

    private struct Report: Codable, Equatable {
        enum CodingKeys: String, CodingKey {
            case examples, loss, path, scores, probabilities, note, flags
            case byName = "by_name"
        }
        var examples: Int
        var loss: Double
        var path: String
        var scores: [Score]
        var probabilities: [Float]
        var note: String?
        var flags: [Bool]
        var byName: [String: Double]
    }

    private let report = Report(
        examples: 12, loss: 1, path: "a/b \"q\" é", scores: [Score(label: "spam", f1: 0.25), Score(label: "ham", f1: 1e-7)],
        probabilities: [0.991, 1, 0.5], note: nil, flags: [true, false], byName: ["z": 2.5, "a": 1e20, "m": -3])

    func testWritesWhatJSONEncoderWroteWithSortedKeys() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = String(decoding: try encoder.encode(report), as: UTF8.self)
        XCTAssertEqual(JSONWriter.string(try JSONValue(encoding: report).sortedKeys), foundation)
    }

    func testKeepsTypesAndReadsBack() throws {
        let value = try JSONValue(encoding: report)
        XCTAssertEqual(value["examples"], .int(12))
        XCTAssertEqual(value["loss"], .int(1), "an integral double is written as JSONEncoder wrote it: 1, not 1.0")
        XCTAssertEqual(value["probabilities"], [.double(0.991), .int(1), .double(0.5)], "a Float keeps its shortest digits")
        XCTAssertNil(value["note"], "a nil optional is left out")
        let text = JSONWriter.string(value)
        XCTAssertEqual(try JSONDecoder().decode(Report.self, from: Data(text.utf8)), report)
    }

    func testNonFiniteNumbersThrowAsJSONEncoderDid() {
        XCTAssertThrowsError(try JSONValue(encoding: [Double.nan]))
        XCTAssertThrowsError(try JSONValue(encoding: ["loss": Float.infinity]))
    }

    func testSortedKeysSortsEveryObjectAndKeepsArrayOrder() {
        let value: JSONValue = ["b": [["y": 1, "x": 2]], "a": ["d": 3, "c": [3, 1, 2]]]
        XCTAssertEqual(JSONWriter.string(value.sortedKeys), #"{"a":{"c":[3,1,2],"d":3},"b":[{"x":2,"y":1}]}"#)
    }
}
