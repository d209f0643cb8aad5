import Foundation
@testable import GPT2Tokenizer
import XCTest

/// The word cache must never change an encoding, whichever task filled it.
final class WordCacheTests: XCTestCase {
    func testCanonicallyEquivalentWordsKeepTheirOwnTokens() throws {
        // Swift's String == says "café" (U+00E9) equals "cafe\u{301}"; their bytes, and so their
        // tokens, differ, so the cache must key by bytes.
        let tokenizer = try GPT2Fixture.tokenizer()
        let precomposed = tokenizer.encode("café")
        let decomposed = tokenizer.encode("cafe\u{301}")
        XCTAssertNotEqual(precomposed, decomposed)
        XCTAssertEqual(tokenizer.encode("café"), precomposed)
        XCTAssertEqual(tokenizer.encode("cafe\u{301}"), decomposed)
        XCTAssertEqual(tokenizer.decodeBytes(decomposed), Array("cafe\u{301}".utf8))
    }

    func testWarmAndColdEncodingsAgree() throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let texts = try Array(GPT2Fixture.smsTexts().prefix(500))
        tokenizer.clearCache()
        let cold = texts.map(tokenizer.encode)
        XCTAssertGreaterThan(tokenizer.cache.count, 100)
        XCTAssertEqual(texts.map(tokenizer.encode), cold)
    }

    func testCacheStaysBounded() {
        let cache = WordCache()
        for number in 0...WordCache.maximumEntries {
            var bytes = Array("word\(number)".utf8)
            bytes.withUnsafeMutableBufferPointer { cache.store([number], for: WordKey(UnsafeBufferPointer($0))) }
        }
        XCTAssertLessThanOrEqual(cache.count, WordCache.maximumEntries)
        let key = Array("word\(WordCache.maximumEntries)".utf8).withUnsafeBufferPointer { WordKey($0) }
        XCTAssertEqual(cache.ids(for: key), [WordCache.maximumEntries])
    }

    func testKeysLongerThanTheInlineBytesCompareEveryByte() {
        let long = Array("internationalization".utf8)
        var other = long
        other[other.count - 1] = UInt8(ascii: "X")
        let first = long.withUnsafeBufferPointer { WordKey($0) }
        let second = other.withUnsafeBufferPointer { WordKey($0) }
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(first, long.withUnsafeBufferPointer { WordKey($0) })
    }

    func testConcurrentTasksGetTheSameIDsAsOneThread() async throws {
        let tokenizer = try GPT2Fixture.tokenizer()
        let texts = try GPT2Fixture.smsTexts()
        let expected = texts.map(tokenizer.encode)
        tokenizer.clearCache()
        let results = await withTaskGroup(of: (Int, [[Int]]).self) { group in
            for task in 0..<8 {
                group.addTask {
                    // Each task walks the texts from a different start so the tasks race on
                    // filling the same cache entries.
                    let rotated = Array(texts[(task * 700)...] + texts[..<(task * 700)])
                    let ids = rotated.map(tokenizer.encode)
                    return (task, Array(ids[(texts.count - task * 700)...] + ids[..<(texts.count - task * 700)]))
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        XCTAssertEqual(results.count, 8)
        for (task, ids) in results { XCTAssertEqual(ids, expected, "task \(task)") }
    }
}
