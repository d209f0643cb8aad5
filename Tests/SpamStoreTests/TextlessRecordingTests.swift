import Checksum
import Foundation
import XCTest
@testable import SpamStore

/// `recordClassified(_:ids:storingText: false)`: what the daemon does below its free-space floor.
final class TextlessRecordingTests: StoreTestCase {
    func testMessageHashAndPredictionAreStoredButNotTheText() throws {
        let received = fixedNoon - 60
        let long = longText("too big to keep now")
        let ids = Array(try store.reserveMessageIDs(count: 2))
        try store.recordClassified([classified("short", label: "spam", at: received), classified(long, at: received)], ids: ids, storingText: false)

        for (id, text) in zip(ids, ["short", long]) {
            let message = try XCTUnwrap(try store.message(id))
            XCTAssertNil(message.text)
            XCTAssertEqual(message.sha256, SHA256.hex(text))
            XCTAssertEqual(message.textDroppedAt, received, "reads as dropped on arrival")
            XCTAssertEqual(message.peer, Peer(pid: 42, uid: 1000, gid: 100))
        }
        XCTAssertEqual(try store.predictions(forMessage: ids[0]).map(\.prediction.label), ["spam"])
        XCTAssertEqual(try store.storageFigures().storedTexts, 0)
        XCTAssertEqual(try store.dailyStats(days: 1, now: fixedNoon).last, DailyStats(day: "2026-03-10", messages: 2, spam: 1, corrections: 0))

        // Labeled, it counts for accuracy but is no training example: there is no text to train on.
        try store.setLabel("ham", forMessage: ids[0], source: .correction)
        XCTAssertEqual(try store.onlineAccuracy(), OnlineAccuracy(reviewed: 1, wrong: 1))
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 0).all, [])
        // Retention has nothing to drop.
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 0, now: fixedNoon + day), 0)
    }

    func testATextStoredForAnotherMessageIsNotLentToOneRecordedWithout() throws {
        let text = longText("shared")
        let kept = try store.recordClassified([classified(text)])[0]
        let ids = Array(try store.reserveMessageIDs(count: 1))
        try store.recordClassified([classified(text)], ids: ids, storingText: false)

        XCTAssertEqual(try store.message(kept)?.text, text)
        XCTAssertNil(try store.message(ids[0])?.text)
        XCTAssertEqual(try store.storageFigures().storedTexts, 1)
    }

    func testStoringTextIsTheDefault() throws {
        let ids = Array(try store.reserveMessageIDs(count: 2))
        try store.recordClassified([classified("reserved")], ids: [ids[0]])
        let unreserved = try store.recordClassified([classified("unreserved")])[0]
        XCTAssertEqual(try store.message(ids[0])?.text, "reserved")
        XCTAssertEqual(try store.message(unreserved)?.text, "unreserved")
    }
}
