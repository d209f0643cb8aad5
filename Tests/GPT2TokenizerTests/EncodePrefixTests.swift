import GPT2Tokenizer
import XCTest

/// `encodePrefix` gives exactly the first ids of `encode`, reading only as far as they need.
final class EncodePrefixTests: XCTestCase {
    func testThePrefixOfEveryLengthMatchesTheFullEncoding() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let texts = try GPT2Fixture.smsTexts()
        let joined = texts.prefix(400).joined(separator: "\n")
        let full = tokenizer.encode(joined)
        XCTAssertGreaterThan(full.count, 5000)
        for limit in [0, 1, 2, 7, 64, 1023, 1024, 4096, full.count, full.count + 10] {
            XCTAssertEqual(tokenizer.encodePrefix(joined, maxTokens: limit), Array(full.prefix(limit)), "maxTokens \(limit)")
        }
        for text in texts.prefix(500) {
            let ids = tokenizer.encode(text)
            XCTAssertEqual(tokenizer.encodePrefix(text, maxTokens: 8), Array(ids.prefix(8)), text)
        }
    }

    /// A 4 MiB message of ordinary words: the first 1024 ids, exactly.
    func testAHugeTextGivesTheSameFirstTokens() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let text = String(repeating: "Congratulations! You have won a £1000 prize, call 09061701461 now. ", count: 64_000)
        let prefix = tokenizer.encodePrefix(text, maxTokens: 1024)
        XCTAssertEqual(prefix.count, 1024)
        XCTAssertEqual(prefix, Array(tokenizer.encode(String(text.prefix(20_000))).prefix(1024)))
    }

    /// One "word" of 1 MiB (no spaces): cut to what 1024 tokens can cover before its merges, so
    /// it costs what a context-length text does; the ids read back as the text's beginning.
    func testAHugeSingleWordIsCutBeforeItsMerges() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let word = String(repeating: "abcdefghij", count: 100_000)
        let prefix = tokenizer.encodePrefix(word, maxTokens: 16)
        XCTAssertEqual(prefix.count, 16)
        let decoded = tokenizer.decode(prefix)
        XCTAssertTrue(word.hasPrefix(decoded), decoded)
    }
}
