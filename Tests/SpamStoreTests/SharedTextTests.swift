import Checksum
import Foundation
import GRDB
import XCTest
@testable import SpamStore

/// A text long enough to be stored once and shared (see `TextPlacement`), distinct per `seed`.
func longText(_ seed: String, bytes: Int = 300) -> String {
    let head = "\(seed): "
    return head + String(repeating: "x", count: max(bytes - head.utf8.count, 0))
}

final class SharedTextTests: StoreTestCase {
    func testARepeatedLongTextIsStoredOnceAndEveryMessageReadsIt() throws {
        let text = longText("win a prize", bytes: 1_024)
        let ids = try store.recordClassified((0..<300).map { classified(text, label: $0 % 2 == 0 ? "spam" : "ham") })

        XCTAssertEqual(try rowCount("text_bodies"), 1)
        XCTAssertEqual(try rowCount("distinct_texts"), 1)
        for id in [ids[0], ids[150], ids[299]] {
            let message = try XCTUnwrap(try store.message(id))
            XCTAssertEqual(message.text, text)
            XCTAssertEqual(message.sha256, SHA256.hex(text))
            XCTAssertNil(message.textDroppedAt)
        }
        let figures = try store.storageFigures()
        XCTAssertEqual(figures.storedTexts, 1)
        XCTAssertEqual(figures.storedTextBytes, 1_024)
    }

    func testShortTextsStayInTheirMessageRow() throws {
        let short = String(repeating: "s", count: TextPlacement.sharedMinimumBytes - 1)
        let long = String(repeating: "l", count: TextPlacement.sharedMinimumBytes)
        let ids = try store.recordClassified([classified(short), classified(short), classified(long), classified(long)])

        XCTAssertEqual(try store.pool.read { db in try String.fetchAll(db, sql: "SELECT text FROM messages WHERE text IS NOT NULL") },
                       [short, short])
        XCTAssertEqual(try rowCount("distinct_texts"), 1)
        XCTAssertEqual(try ids.map { try store.message($0)?.text }, [short, short, long, long])
        let figures = try store.storageFigures()
        XCTAssertEqual(figures.storedTexts, 3)
        XCTAssertEqual(figures.storedTextBytes, Int64(2 * short.utf8.count + long.utf8.count))
    }

    func testEveryWriterSharesTheSameCopy() throws {
        let text = longText("lunch at noon?")
        let classifiedID = try store.recordClassified([classified(text)])[0]
        let reserved = try store.reserveMessageIDs(count: 1).lowerBound
        try store.recordClassified([classified(text)], ids: [reserved])
        let labeledID = try store.recordLabeledMessage(LabeledText(text: text, label: "ham"), source: .api)
        try store.setLabel("spam", forMessage: classifiedID, source: .correction)

        XCTAssertEqual(try rowCount("text_bodies"), 1)
        XCTAssertEqual(try store.message(reserved)?.text, text)
        let training = try store.labeledMessages(holdoutPercent: 0).training
        XCTAssertEqual(training.map(\.messageID), [labeledID, classifiedID])
        XCTAssertEqual(training.map(\.text), [text, text])
    }

    func testTextsInOneBatchAndNonASCIITextsAreSharedByContent() throws {
        let cyrillic = String(repeating: "выиграй приз ", count: 20)
        let ids = try store.recordClassified([classified(cyrillic), classified(longText("other")), classified(cyrillic)])
        XCTAssertEqual(try rowCount("text_bodies"), 2)
        XCTAssertEqual(try store.message(ids[2])?.text, cyrillic)
        XCTAssertEqual(try store.storageFigures().storedTextBytes, Int64(cyrillic.utf8.count + 300))
    }

    /// Texts are the same when their bytes are: not Swift's `==`, under which a composed and
    /// a decomposed "é" are equal. A batch hashes a repeated text once, never a lookalike.
    func testCanonicallyEquivalentTextsAreDifferentTexts() throws {
        let composed = String(repeating: "caf\u{E9} ", count: 60)
        let decomposed = String(repeating: "cafe\u{301} ", count: 60)
        XCTAssertEqual(composed, decomposed)
        let ids = try store.recordClassified([classified(composed), classified(decomposed), classified(composed)])

        let messages = try ids.map { try XCTUnwrap(try store.message($0)) }
        XCTAssertEqual(messages.map(\.sha256), [SHA256.hex(composed), SHA256.hex(decomposed), SHA256.hex(composed)])
        XCTAssertNotEqual(messages[0].sha256, messages[1].sha256)
        XCTAssertEqual(messages.map { Array($0.text!.utf8) }, [Array(composed.utf8), Array(decomposed.utf8), Array(composed.utf8)])
        XCTAssertEqual(try rowCount("text_bodies"), 2)
    }

    /// The flood: 300 identical 1 MiB texts once grew the store by 515 MB.
    func testThreeHundredIdenticalMebibyteTextsBarelyGrowTheFile() throws {
        let text = String(repeating: "FREE PRIZE, CALL NOW! ", count: (1 << 20) / 22)
        // The first copy is stored; measure what the 300 repeats add.
        try store.recordClassified([classified(text)], ids: [try store.reserveMessageIDs(count: 1).lowerBound])
        let before = try fileSizeAfterCheckpoint()

        for _ in 0..<10 {
            let ids = try store.reserveMessageIDs(count: 30)
            try store.recordClassified(Array(repeating: classified(text, label: "spam"), count: 30), ids: Array(ids))
        }
        let growth = try fileSizeAfterCheckpoint() - before
        print("300 identical \(text.utf8.count)-byte texts grew the database file by \(growth) bytes")
        XCTAssertLessThan(growth, 256 << 10, "well under 1 MB: message and prediction rows only")
        XCTAssertEqual(try store.storageFigures().storedTexts, 1)
        XCTAssertEqual(try store.dailyStats(days: 1).last?.messages, 301)
    }

    private func fileSizeAfterCheckpoint() throws -> Int64 {
        _ = try store.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        let figures = try store.storageFigures()
        XCTAssertEqual(figures.walFileBytes, 0)
        return figures.databaseFileBytes
    }

    private func rowCount(_ table: String) throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! }
    }
}
