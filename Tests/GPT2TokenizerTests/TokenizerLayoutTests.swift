import Foundation
import GPT2Tokenizer
import TestSupport
import XCTest

/// The same vocabulary loads from OpenAI's file names and from Hugging Face's.
final class TokenizerLayoutTests: XCTestCase {
    func testOpenAIAndHuggingFaceLayoutsEncodeAlike() throws {
        let openAI = try BPETokenizer(directory: SharedFixtures.require("data/gpt2-tokenizer"))
        let huggingFaceDirectory = try SharedFixtures.require("golden/tiny-gpt2")
        let huggingFace = try BPETokenizer(directory: huggingFaceDirectory)
        let byName = try BPETokenizer(vocabulary: huggingFaceDirectory.appendingPathComponent("vocab.json"),
                                      merges: huggingFaceDirectory.appendingPathComponent("merges.txt"))
        for text in ["Hello world!", "I'll be there in 5 min 😀", "  multiple   spaces\tand\ttabs\n"] {
            XCTAssertEqual(openAI.encode(text), huggingFace.encode(text))
            XCTAssertEqual(openAI.encode(text), byName.encode(text))
        }
        XCTAssertEqual(openAI.encode("Hello world!"), [15496, 995, 0])
    }
}
