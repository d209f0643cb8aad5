@testable import GPT2Tokenizer
import TestSupport
import XCTest

/// The pieces GPT-2's pattern makes. Expected values are what Python's `regex` module returns
/// for `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
final class PreTokenizerTests: XCTestCase {
    private func assertPieces(_ text: String, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(PreTokenizer.pieces(of: text), expected, "text: \(text.debugDescription)", file: file, line: line)
    }

    func testWordsTakeOneLeadingASCIISpace() {
        assertPieces("Hello world", ["Hello", " world"])
        assertPieces(" Hello", [" Hello"])
        assertPieces("naïve café", ["naïve", " café"])
        assertPieces("日本語 テキスト", ["日本語", " テキスト"])
    }

    func testWhitespaceBeforeAWordKeepsAllButTheLastScalar() {
        assertPieces("  Hello", [" ", " Hello"])
        assertPieces("a   b", ["a", "  ", " b"])
        assertPieces("x  \ny", ["x", "  ", "\n", "y"])
        assertPieces("x \n y", ["x", " \n", " y"])
        assertPieces("a\r\nb", ["a", "\r", "\n", "b"])
    }

    func testOnlyASCIISpaceJoinsTheNextWord() {
        assertPieces("\tHello", ["\t", "Hello"])
        assertPieces("a\t b", ["a", "\t", " b"])
        assertPieces("a \tb", ["a", " ", "\t", "b"])
        assertPieces("x \u{A0}y", ["x", " ", "\u{A0}", "y"])
        assertPieces("x \u{3000}y", ["x", " ", "\u{3000}", "y"])
        assertPieces("a\u{2028}b", ["a", "\u{2028}", "b"])
    }

    func testWhitespaceAtTheEndIsOnePiece() {
        assertPieces("end  ", ["end", "  "])
        assertPieces("  ", ["  "])
        assertPieces(" ", [" "])
        assertPieces("", [])
    }

    func testContractionsAreLowercaseASCIIOnly() {
        assertPieces("I'm don't they're we've she'll he'd it's",
                     ["I", "'m", " don", "'t", " they", "'re", " we", "'ve", " she", "'ll", " he", "'d", " it", "'s"])
        assertPieces("'S 'T 'RE", ["'", "S", " '", "T", " '", "RE"])
        assertPieces(" 's", [" '", "s"])
        assertPieces("?'s", ["?'", "s"])
        assertPieces("''s", ["''", "s"])
        assertPieces("don’t", ["don", "’", "t"])
    }

    func testNumbersAndOtherCharactersFormTheirOwnRuns() {
        assertPieces("abc123", ["abc", "123"])
        assertPieces("  123", [" ", " 123"])
        assertPieces("3.14", ["3", ".", "14"])
        assertPieces(" $100", [" $", "100"])
        assertPieces("Ⅻ½²", ["Ⅻ½²"])
        assertPieces("hello!!!", ["hello", "!!!"])
        assertPieces("<|endoftext|>", ["<|", "endoftext", "|>"])
    }

    func testUnicodeClassesFollowGeneralCategoryAndWhiteSpace() {
        // U+0301 is a mark (not \p{L}), so it is "other"; U+001C is not White_Space;
        // U+0085 is White_Space.
        assertPieces("e\u{301}", ["e", "\u{301}"])
        assertPieces("\u{1C}ab", ["\u{1C}", "ab"])
        assertPieces("\u{85}a", ["\u{85}", "a"])
        // Numbers are Nd, Nl and No; letters include Lm and Lt; U+00AD (Cf) is "other".
        assertPieces("x²+½!", ["x", "²", "+", "½", "!"])
        assertPieces("Ⅻ!", ["Ⅻ", "!"])
        assertPieces("①②-", ["①②", "-"])
        assertPieces("aʰbǅc!", ["aʰbǅc", "!"])
        assertPieces("ab\u{AD}cd", ["ab", "\u{AD}", "cd"])
        assertPieces("😀😀 👍", ["😀😀", " 👍"])
    }

    func testPiecesCoverTheTextExactly() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let text = RandomText.make(using: &generator, maxLength: 30)
            let pieces = PreTokenizer.pieces(of: text)
            XCTAssertEqual(Array(pieces.joined().utf8), Array(text.utf8))
            XCTAssertFalse(pieces.contains(""))
        }
    }
}
