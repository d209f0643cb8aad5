import GPT2Tokenizer
import TestSupport
import XCTest

/// Decoding an encoding gives back the exact bytes. Compared as UTF-8 bytes, not as `String`s,
/// because `String ==` treats canonically equivalent texts ("é" and "e\u{301}") as equal.
final class RoundTripTests: XCTestCase {
    func testEverySMSTextRoundTrips() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let texts = try GPT2Fixture.smsTexts()
        XCTAssertEqual(texts.count, 5574)
        var tokenCount = 0
        var idSum = 0
        for text in texts {
            let ids = tokenizer.encode(text)
            tokenCount += ids.count
            idSum += ids.reduce(0, +)
            XCTAssertEqual(tokenizer.decodeBytes(ids), Array(text.utf8), "text: \(text.debugDescription)")
        }
        // The same figures from OpenAI's encoder.py algorithm run with Python's `regex` module
        // over these texts; tiktoken's "127k tokens" for the collection agrees.
        XCTAssertEqual(tokenCount, 127_018)
        XCTAssertEqual(idSum, 556_797_900)
    }

    func testRandomUnicodeStringsRoundTrip() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<3000 {
            let text = RandomText.make(using: &generator, maxLength: 40)
            let ids = tokenizer.encode(text)
            XCTAssert(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) })
            XCTAssertEqual(tokenizer.decodeBytes(ids), Array(text.utf8), "text: \(text.debugDescription)")
            XCTAssertEqual(tokenizer.decode(ids), text)
        }
    }

    func testLongRunsRoundTrip() throws {
        // Pieces longer than the short-word threshold take the heap-based merge.
        let tokenizer = try GPT2Fixture.tokenizer()
        var generator = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let text = RandomText.make(using: &generator, maxLength: 600)
            XCTAssertEqual(tokenizer.decodeBytes(tokenizer.encode(text)), Array(text.utf8))
        }
    }
}

/// Random texts that stress the pre-tokenizer: the classes its pattern tells apart, Unicode
/// whitespace, combining marks, emoji sequences, contractions, and arbitrary scalars.
enum RandomText {
    private static let pools: [[Unicode.Scalar]] = [
        "abcXYZ", "0123456789", "  ", "\t\n\r\u{0B}\u{0C}", "'", "'stremvld", "!?.,;:-_()[]{}<>|@#$%^&*",
        "\u{A0}\u{1680}\u{2000}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{85}\u{1C}\u{1F}",
        "éüñßçøåÆŒ", "日本語のテキスト中文한국어", "مرحبا", "привет", "ΑΒΓαβγ", "\u{301}\u{308}\u{20DD}",
        "²³½¼Ⅻ①٣߃", "😀🇬🇧👍🏽\u{200D}❤️", "\u{AD}\u{200B}\u{FEFF}\u{FFFD}",
    ].map { Array($0.unicodeScalars) }

    static func make(using generator: inout some RandomNumberGenerator, maxLength: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &generator) {
            if Int.random(in: 0..<10, using: &generator) == 0 {
                scalars.append(randomScalar(using: &generator))
            } else {
                scalars.append(pools.randomElement(using: &generator)!.randomElement(using: &generator)!)
            }
        }
        return String(scalars)
    }

    /// Any scalar of any plane (surrogate code points are not scalars).
    private static func randomScalar(using generator: inout some RandomNumberGenerator) -> Unicode.Scalar {
        while true {
            if let scalar = Unicode.Scalar(UInt32.random(in: 0..<0x110000, using: &generator)) { return scalar }
        }
    }
}
