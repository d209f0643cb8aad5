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
}
