import GPT2Tokenizer
import TestSupport
import XCTest

/// `<|endoftext|>` is the pad token the classifier adds itself; text from users never turns
/// into it.
final class SpecialTokenTests: XCTestCase {
    func testEndOfTextIsTheLastToken() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        XCTAssertEqual(BPETokenizer.endOfTextID, 50256)
        XCTAssertEqual(tokenizer.vocabularySize, 50257)
        XCTAssertEqual(tokenizer.decode([BPETokenizer.endOfTextID]), "<|endoftext|>")
    }

    func testEndOfTextInTextIsOrdinaryCharacters() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        // What tiktoken gives with special tokens disallowed: "<|", "endoftext", "|>".
        XCTAssertEqual(tokenizer.encode("<|endoftext|>"), [27, 91, 437, 1659, 5239, 91, 29])
        let ids = tokenizer.encode("Hi<|endoftext|>there <|endoftext|>")
        XCTAssertFalse(ids.contains(BPETokenizer.endOfTextID))
        XCTAssertEqual(tokenizer.decode(ids), "Hi<|endoftext|>there <|endoftext|>")
    }

    func testDecodeSkipsIDsOutsideTheVocabulary() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        XCTAssertEqual(tokenizer.decode([15496, -1, 50257, Int.max, 995]), "Hello world")
    }

    func testDecodingPartOfACharacterIsLossyButDecodeBytesIsExact() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let ids = tokenizer.encode("😀")
        XCTAssertEqual(ids, [47249, 222])
        XCTAssert(tokenizer.decode([ids[0]]).contains("\u{FFFD}"))
        XCTAssertEqual(tokenizer.decodeBytes([ids[0]]) + tokenizer.decodeBytes([ids[1]]), Array("😀".utf8))
    }
}
