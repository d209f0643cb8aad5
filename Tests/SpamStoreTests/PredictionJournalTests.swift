import Checksum
import Foundation
import XCTest
@testable import SpamStore

final class PredictionJournalTests: StoreTestCase {
    func testBatchStoresMessagesAndPredictionsAndReturnsIdsInOrder() throws {
        let received = Date(timeIntervalSince1970: 1_700_000_000.25)
        let batch = (0..<10).map { classified("text \($0)", label: $0 % 2 == 0 ? "ham" : "spam", probability: 0.5 + Double($0) / 20, at: received) }
        let ids = try store.recordClassified(batch)
        XCTAssertEqual(ids.count, 10)
        XCTAssertEqual(Set(ids).count, 10)

        for (id, item) in zip(ids, batch) {
            let message = try XCTUnwrap(try store.message(id))
            XCTAssertEqual(message.text, item.text)
            XCTAssertEqual(message.sha256, SHA256.hex(item.text))
            XCTAssertEqual(message.receivedAt, received)
            XCTAssertEqual(message.peer, Peer(pid: 42, uid: 1000, gid: 100))
            XCTAssertEqual(try store.predictions(forMessage: id).map(\.prediction), [item.prediction])
            XCTAssertTrue(try store.messageExists(id))
        }
        XCTAssertFalse(try store.messageExists(ids.last! + 1))
    }

    func testOneInvalidPredictionRejectsTheWholeBatch() throws {
        var batch = [classified("fine"), classified("bad", probability: 1.5)]
        XCTAssertThrowsError(try store.recordClassified(batch)) { error in
            guard case .invalidPrediction? = error as? StoreError else { return XCTFail("\(error)") }
        }
        batch[1] = classified("bad", label: "")
        XCTAssertThrowsError(try store.recordClassified(batch))
        XCTAssertFalse(try store.messageExists(1))
    }

    /// Journal batches commit without fsync; everything after them (labels) must be back to FULL,
    /// also when a batch fails inside its transaction.
    func testWriterIsBackToFullSyncAfterJournalBatches() throws {
        func writerSynchronous() throws -> Int? {
            try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        }
        _ = try store.recordClassified([classified("a")])
        XCTAssertEqual(try writerSynchronous(), 2)

        let ids = try store.reserveMessageIDs(count: 2)
        // The same id twice violates the primary key halfway through the transaction.
        XCTAssertThrowsError(try store.recordClassified([classified("b"), classified("c")], ids: [ids.lowerBound, ids.lowerBound]))
        XCTAssertEqual(try writerSynchronous(), 2)
        XCTAssertNil(try store.message(ids.lowerBound), "the failed batch left nothing behind")
    }

    func testMessageWithoutPeerAndAsyncBatch() async throws {
        let item = ClassifiedMessage(
            text: "no peer", receivedAt: Date(), peer: nil,
            prediction: PredictionRecord(modelVersion: "1", label: "ham", probability: 0.99, latencyMilliseconds: 0))
        let ids = try store.recordClassified([item, item])
        XCTAssertEqual(ids.count, 2)
        XCTAssertNil(try store.message(ids[0])?.peer)
        XCTAssertEqual(try store.message(ids[0])?.sha256, try store.message(ids[1])?.sha256)
    }

    func testReadersAreServedWhileBatchesAreWritten() async throws {
        let store = self.store!
        let writer = Task.detached {
            for round in 0..<50 {
                _ = try store.recordClassified((0..<100).map { ClassifiedMessage(
                    text: "r\(round) m\($0)", receivedAt: Date(), peer: nil,
                    prediction: PredictionRecord(modelVersion: "1", label: "ham", probability: 0.5, latencyMilliseconds: 1)) })
            }
        }
        let reader = Task.detached {
            var seen = 0
            for _ in 0..<200 {
                let now = try store.onlineAccuracy().reviewed + store.dailyStats(days: 1).reduce(0) { $0 + $1.messages }
                XCTAssertGreaterThanOrEqual(now, seen, "a reader never sees the count go back")
                seen = now
            }
        }
        try await writer.value
        try await reader.value
        XCTAssertEqual(try store.dailyStats(days: 1).last?.messages, 5_000)
    }
}
