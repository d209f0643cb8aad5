import Checksum
import Foundation
import XCTest
@testable import SpamStore

final class RetentionTests: StoreTestCase {
    func testDropsOnlyTheTextOfOldUnlabeledMessages() throws {
        let old = fixedNoon - 40 * day
        let ids = try store.recordClassified([
            classified("old unlabeled", label: "spam", at: old),
            classified("old labeled", at: old),
            classified("old, label withdrawn", at: old),
            classified("recent unlabeled", at: fixedNoon - 5 * day),
        ])
        try store.setLabel("ham", forMessage: ids[1], source: .correction)
        try store.setLabel("ham", forMessage: ids[2], source: .correction)
        try store.forgetLabel(forMessage: ids[2], source: .api)
        let hashBefore = try XCTUnwrap(try store.message(ids[0])).sha256

        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon), 2)

        let dropped = try XCTUnwrap(try store.message(ids[0]))
        XCTAssertNil(dropped.text)
        XCTAssertEqual(dropped.sha256, hashBefore)
        XCTAssertEqual(dropped.textDroppedAt, fixedNoon)
        XCTAssertEqual(try store.predictions(forMessage: ids[0]).map(\.prediction.label), ["spam"])
        XCTAssertEqual(try store.message(ids[1])?.text, "old labeled")
        XCTAssertNil(try store.message(ids[2])?.text)
        XCTAssertEqual(try store.message(ids[3])?.text, "recent unlabeled")

        // Running again finds nothing more to do.
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon), 0)
    }

    func testWorksThroughMoreRowsThanOneBatch() throws {
        let old = fixedNoon - 10 * day
        _ = try store.recordClassified((0..<250).map { classified("old \($0)", at: old) })
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 1, now: fixedNoon, batchSize: 100), 250)
        XCTAssertNil(try store.message(250)?.text)
        XCTAssertThrowsError(try store.dropTextOfUnlabeledMessages(olderThanDays: -1))
    }

    /// A shared text goes only when no message with it is labeled or recent.
    func testASharedTextStaysWhileAnyCopyIsLabeledOrRecent() throws {
        let old = fixedNoon - 40 * day
        let labeledText = longText("one copy labeled")
        let recentText = longText("one copy recent")
        let oldText = longText("every copy old and unlabeled")
        let ids = try store.recordClassified([
            classified(labeledText, at: old), classified(labeledText, at: old - day),
            classified(recentText, at: old), classified(recentText, at: fixedNoon - day),
            classified(oldText, at: old), classified(oldText, at: old + day),
        ])
        try store.setLabel("spam", forMessage: ids[0], source: .correction)
        let textsBefore = try store.storageFigures().storedTexts

        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon), 2)

        for id in ids[0...3] { XCTAssertNotNil(try store.message(id)?.text, "message \(id)") }
        for id in ids[4...5] {
            let message = try XCTUnwrap(try store.message(id))
            XCTAssertNil(message.text)
            XCTAssertEqual(message.textDroppedAt, fixedNoon)
            XCTAssertEqual(message.sha256, SHA256.hex(oldText), "the hash stays")
        }
        XCTAssertEqual(try store.storageFigures().storedTexts, textsBefore - 1)
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 0).all.map(\.text), [labeledText])

        // The label withdrawn and the recent copy aged: both texts go, from every message.
        try store.forgetLabel(forMessage: ids[0], source: .api)
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon + 40 * day), 4)
        for id in ids { XCTAssertNil(try store.message(id)?.text) }
        XCTAssertEqual(try store.storageFigures().storedTexts, textsBefore - 3)
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon + 40 * day), 0)
    }

    /// A dropped text that arrives again is stored again for the new message only.
    func testADroppedTextThatArrivesAgainIsNotGivenBackToOldMessages() throws {
        let text = longText("again")
        let first = try store.recordClassified([classified(text, at: fixedNoon - 40 * day)])[0]
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon), 1)
        let again = try store.recordClassified([classified(text, at: fixedNoon)])[0]
        XCTAssertEqual(try store.message(again)?.text, text)
        XCTAssertNil(try store.message(first)?.text)
    }

    func testSharedTextsAcrossSmallBatchesAndMixedWithOwnCopies() throws {
        let old = fixedNoon - 10 * day
        let shared = (0..<5).map { longText("shared \($0)") }
        // 5 shared texts, 4 copies each, interleaved with short texts kept in their own rows.
        let batch = (0..<20).flatMap { index in
            [classified(shared[index % 5], at: old + Double(index)), classified("short \(index)", at: old + Double(index))]
        }
        let ids = try store.recordClassified(batch)
        try store.setLabel("ham", forMessage: ids[2], source: .correction)  // a copy of shared[1]
        try store.setLabel("ham", forMessage: ids[3], source: .correction)  // "short 1"

        // All but the 4 copies of shared[1] and "short 1".
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 1, now: fixedNoon, batchSize: 3), 35)
        let kept = try ids.filter { try store.message($0)?.text != nil }
        XCTAssertEqual(kept, [ids[2], ids[3], ids[12], ids[22], ids[32]])
        XCTAssertEqual(try store.storageFigures().storedTexts, 2)
    }

    /// A label given while a run is under way, between two of its batches, still protects
    /// the text it labels.
    func testALabelGivenBetweenBatchesKeepsItsText() throws {
        let old = fixedNoon - 10 * day
        let text = longText("labeled mid-run")
        let ids = try store.recordClassified([classified("a", at: old), classified(text, at: old + 1), classified(text, at: old + 2)])
        let recent = try store.recordClassified([classified("recent", at: fixedNoon)])[0]
        try store.setLabel("ham", forMessage: recent, source: .correction)  // read by the first batch
        var pass = RetentionPass(cutoff: fixedNoon.timeIntervalSince1970 - day, droppedAt: fixedNoon.timeIntervalSince1970)
        let first = try store.pool.write { db in try pass.runBatch(limit: 1, db) }
        XCTAssertEqual(first.dropped, 1)
        try store.setLabel("spam", forMessage: ids[2], source: .correction)
        let second = try store.pool.write { db in try pass.runBatch(limit: 10, db) }
        XCTAssertEqual(second.dropped, 0)
        XCTAssertEqual(try store.message(ids[1])?.text, text)
    }
}
