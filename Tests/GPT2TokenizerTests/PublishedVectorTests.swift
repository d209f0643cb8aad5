import Foundation
import GPT2Tokenizer
import TestSupport
import XCTest

/// GPT-2 tokenizations published by other projects (tiktoken's `r50k_base` via jtokkit, and
/// Hugging Face's `distilgpt2` via swift-transformers) must be reproduced id for id.
final class PublishedVectorTests: XCTestCase {
    func testR50kBaseEncodingsFromJtokkit() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let url = try SharedFixtures.require("data/gpt2-tokenizer/test-vectors/r50k_base_encodings.csv")
        let rows = try CSV.parse(String(contentsOf: url, encoding: .utf8))
        XCTAssertEqual(rows.first, ["input", "output", "outputMaxTokens10"])
        let records = rows.dropFirst()
        XCTAssertEqual(records.count, 423)
        for record in records {
            let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(record[1].utf8)) as? [Int])
            XCTAssertEqual(tokenizer.encode(record[0]), expected, "input: \(record[0].debugDescription)")
        }
    }

    func testFrenchParagraphFromSwiftTransformers() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let fixture = try XCTUnwrap(
            GPT2Fixture.json("data/gpt2-tokenizer/test-vectors/gpt2_encoded_tokens.json") as? [String: Any])
        let text = try XCTUnwrap(fixture["text"] as? String)
        let expected = try XCTUnwrap(fixture["token_ids"] as? [Int])
        XCTAssertEqual(expected.count, 221)
        XCTAssertEqual(tokenizer.encode(text), expected)
        XCTAssertEqual(tokenizer.decode(expected), try XCTUnwrap(fixture["decoded_text"] as? String))
    }

    func testDistilGPT2CasesFromSwiftTransformers() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let fixture = try XCTUnwrap(
            GPT2Fixture.json("data/gpt2-tokenizer/test-vectors/tokenizer_tests.json") as? [String: Any])
        let cases = try XCTUnwrap(fixture["distilgpt2"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 18)
        for testCase in cases {
            let input = try XCTUnwrap(testCase["input"] as? String)
            let encoded = try XCTUnwrap(testCase["encoded"] as? [String: Any])
            let expected = try XCTUnwrap(encoded["input_ids"] as? [Int])
            XCTAssertEqual(tokenizer.encode(input), expected, "input: \(input.debugDescription)")
        }
    }
}

/// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines.
enum CSV {
    struct Malformed: Error {}

    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = scalars.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\n":
                row.append(field); field = ""
                rows.append(row); row = []
            case "\r" where pending == "\n": break
            default: field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw Malformed() }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
