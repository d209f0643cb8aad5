import Foundation
import GPT2Tokenizer
import XCTest

/// The token ids that Hugging Face's tokenizer gave the golden inference run, including the
/// book-style batch right-padded with `<|endoftext|>`.
final class GoldenInferenceTokenTests: XCTestCase {
    func testTokenIDsOfEveryCase() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let golden = try XCTUnwrap(GPT2Fixture.json("golden/tiny-inference.json") as? [String: Any])
        let cases = try XCTUnwrap(golden["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 10)
        for testCase in cases {
            let text = try XCTUnwrap(testCase["text"] as? String)
            XCTAssertEqual(tokenizer.encode(text), try XCTUnwrap(testCase["ids"] as? [Int]), "text: \(text.debugDescription)")
        }
    }

    func testBookPaddedBatchIsTheEncodingRightPaddedWithEndOfText() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let golden = try XCTUnwrap(GPT2Fixture.json("golden/tiny-inference.json") as? [String: Any])
        XCTAssertEqual(golden["pad_token_id"] as? Int, BPETokenizer.endOfTextID)
        let texts = try XCTUnwrap(golden["cases"] as? [[String: Any]]).map { try XCTUnwrap($0["text"] as? String) }
        let batch = try XCTUnwrap(golden["book_padded"] as? [String: Any])
        let maxLength = try XCTUnwrap(batch["max_length"] as? Int)
        let rows = try XCTUnwrap(batch["ids"] as? [[Int]])
        XCTAssertEqual(rows.count, texts.count)
        for (text, row) in zip(texts, rows) {
            let ids = tokenizer.encode(text)
            let padded = Array((ids + Array(repeating: BPETokenizer.endOfTextID, count: maxLength)).prefix(maxLength))
            XCTAssertEqual(row, padded, "text: \(text.debugDescription)")
        }
    }
}
