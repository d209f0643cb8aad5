import GPT2Tokenizer
import XCTest

/// Texts full of what the pre-tokenization pattern tells apart (Unicode whitespace, marks,
/// numbers of every category, contractions, arbitrary scalars) match the reference id for id.
final class ReferenceEncodingTests: XCTestCase {
    func testRandomTextsMatchTheReferenceImplementation() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let cases = try ReferenceEncodings.cases()
        XCTAssertEqual(cases.count, 250)
        for (text, ids) in cases {
            XCTAssertEqual(tokenizer.encode(text), ids, "text: \(text.debugDescription)")
        }
    }
}
