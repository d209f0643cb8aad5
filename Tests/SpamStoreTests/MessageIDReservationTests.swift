import Foundation
import XCTest
@testable import SpamStore

final class MessageIDReservationTests: StoreTestCase {
    func testReservationsDoNotOverlapAndSkipExistingMessages() throws {
        let existing = try store.recordClassified([classified("before")])
        let first = try store.reserveMessageIDs(count: 10)
        let second = try store.reserveMessageIDs(count: 5)
        XCTAssertEqual(first.count, 10)
        XCTAssertGreaterThan(first.lowerBound, existing[0])
        XCTAssertEqual(second.lowerBound, first.upperBound + 1)
    }

    func testMessagesRecordedUnderReservedIDsAreReadBack() throws {
        let ids = try store.reserveMessageIDs(count: 3)
        let batch = [classified("one", label: "spam"), classified("two")]
        try store.recordClassified(batch, ids: [ids.lowerBound, ids.lowerBound + 2])
        XCTAssertEqual(try store.message(ids.lowerBound)?.text, "one")
        XCTAssertNil(try store.message(ids.lowerBound + 1))
        XCTAssertEqual(try store.predictions(forMessage: ids.lowerBound + 2).map(\.prediction.label), ["ham"])
    }

    func testOrdinaryInsertsNeverTakeAReservedID() throws {
        let reserved = try store.reserveMessageIDs(count: 100)
        let labeled = try store.recordLabeledMessage(LabeledText(text: "lunch?", label: "ham"), source: .api)
        let classifiedID = try store.recordClassified([classified("plain")])[0]
        XCTAssertFalse(reserved.contains(labeled))
        XCTAssertFalse(reserved.contains(classifiedID))
        let next = try store.reserveMessageIDs(count: 1)
        XCTAssertGreaterThan(next.lowerBound, max(labeled, classifiedID))
    }

    func testReservedIDsStayReservedAfterReopening() throws {
        // A daemon that handed out ids and died before writing them must not reuse them.
        let reserved = try store.reserveMessageIDs(count: 50)
        try store.close()
        store = try Store(path: databasePath)
        let after = try store.reserveMessageIDs(count: 1)
        XCTAssertGreaterThan(after.lowerBound, reserved.upperBound)
        let inserted = try store.recordClassified([classified("new")])[0]
        XCTAssertGreaterThan(inserted, reserved.upperBound)
    }

    func testMismatchedIDCountIsRejected() throws {
        let ids = try store.reserveMessageIDs(count: 2)
        XCTAssertThrowsError(try store.recordClassified([classified("a")], ids: [ids.lowerBound, ids.upperBound]))
        XCTAssertThrowsError(try store.reserveMessageIDs(count: 0))
    }

    /// `durable` commits at `synchronous = FULL`, the writer's setting, and leaves it there.
    func testDurableBatchesAreRecordedLikeOthers() throws {
        let ids = Array(try store.reserveMessageIDs(count: 2))
        try store.recordClassified([classified("durable", label: "spam"), classified(longText("durable"))], ids: ids, durable: true)
        XCTAssertEqual(try store.message(ids[0])?.text, "durable")
        XCTAssertEqual(try store.message(ids[1])?.text, longText("durable"))
        XCTAssertEqual(try store.predictions(forMessage: ids[0]).map(\.prediction.label), ["spam"])
        XCTAssertEqual(try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }, 2)
    }
}
