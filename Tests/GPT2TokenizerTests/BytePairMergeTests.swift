import Foundation
@testable import GPT2Tokenizer
import TestSupport
import XCTest

/// Merging by rank, checked by hand on toy vocabularies, and the two merge implementations
/// (short pieces, long pieces) checked against each other on the real one.
final class BytePairMergeTests: XCTestCase {
    private func toyTokenizer(_ merges: [(String, String)]) throws -> BPETokenizer {
        let files = try ToyTokenizerFiles(merges: merges)
        defer { files.remove() }
        return try BPETokenizer(directory: files.directory)
    }

    func testLowerRankWinsWhereverItIs() throws {
        // Merge ids are 256 + rank.
        let bcFirst = try toyTokenizer([("b", "c"), ("a", "b")])
        XCTAssertEqual(bcFirst.encode("abc"), [ToyTokenizerFiles.id("a"), 256])
        let abFirst = try toyTokenizer([("a", "b"), ("b", "c")])
        XCTAssertEqual(abFirst.encode("abc"), [256, ToyTokenizerFiles.id("c")])
    }

    func testEveryOccurrenceMergesLeftToRight() throws {
        let tokenizer = try toyTokenizer([("a", "b"), ("a", "a")])
        XCTAssertEqual(tokenizer.encode("abab"), [256, 256])
        XCTAssertEqual(tokenizer.encode("aaa"), [257, ToyTokenizerFiles.id("a")])
        XCTAssertEqual(tokenizer.encode("aaaa"), [257, 257])
    }

    func testMergesBuildOnEarlierMerges() throws {
        let tokenizer = try toyTokenizer([("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), (" ", "hello")])
        XCTAssertEqual(tokenizer.encode("hello"), [259])
        XCTAssertEqual(tokenizer.encode("hello hello"), [259, 260])
        XCTAssertEqual(tokenizer.encode("help"), [256, ToyTokenizerFiles.id("l"), ToyTokenizerFiles.id("p")])
        XCTAssertEqual(tokenizer.vocabularySize, 256 + 5 + 1)
    }

    func testShortAndLongPieceMergesAgree() throws {
        let merger = try GPT2Fixture.tokenizer().vocabulary.merger
        var generator = SplitMix64(seed: 99)
        let alphabets: [[UInt8]] = [
            Array("abcdefghijklmnopqrstuvwxyz".utf8), Array("etaoinshr".utf8), Array("  ".utf8),
            Array("0123456789".utf8), Array("!!?..--==".utf8), Array("éü日本".utf8),
        ]
        for _ in 0..<300 {
            let alphabet = alphabets.randomElement(using: &generator)!
            let piece = (0..<Int.random(in: 1...200, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var short: [Int] = []
            var long: [Int] = []
            piece.withUnsafeBufferPointer { bytes in
                merger.encodeShortPiece(bytes, into: &short)
                merger.encodeLongPiece(bytes, into: &long)
            }
            XCTAssertEqual(short, long, "piece: \(piece)")
        }
    }
}
