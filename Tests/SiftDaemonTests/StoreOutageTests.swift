import Foundation
import SiftDaemon
import SiftJSON
import SpamStore
import SpamStorePostgres
import XCTest

/// siftd on PostgreSQL while the server goes down and comes back under load (issue 19, faults): labels are
/// refused with `store_unavailable`, never acknowledged and lost; classify keeps answering, its
/// predictions held and written after the restart, and past the journal's ids counted as lost
/// (journal.when_full: drop, the default on a shared store); the daemon reconnects by itself.
final class StoreOutageTests: XCTestCase {
    func testNoAcknowledgedLabelIsLostAcrossAServerRestartAndClassifyGoesOn() throws {
        let cluster = try ThrowawayPostgres()
        let siftd = try SiftdProcess(config: """
            store:
              url: \(cluster.url)
              poll_interval: 1
            journal:
              id_block: 64
            """)
        try siftd.waitUntilServing()
        do {
            try exercise(cluster, siftd)
        } catch {
            XCTFail("\(error); siftd's log:\n\(siftd.log)")
            throw error
        }
    }

    private func exercise(_ cluster: ThrowawayPostgres, _ siftd: SiftdProcess) throws {
        let client = try LineClient(socketPath: siftd.socketPath)
        client.setReceiveTimeout(seconds: 120)  // beyond the store's 30 s call deadline, twice

        var labelled: [Int64] = []
        var classified: [Int64] = []
        func label(_ text: String) throws -> JSONValue {
            let reply = try client.call(["op": "label", "text": .string(text), "label": "spam"])
            if reply["ok"] == true, let id = reply["message_id"]?.intValue { labelled.append(id) }
            return reply
        }
        func classify(_ text: String) throws -> JSONValue {
            let reply = try client.call(["op": "classify", "text": .string(text)])
            XCTAssertNotNil(reply["label"], "classify answers: \(reply)")
            if let id = reply["message_id"]?.intValue { classified.append(id) }
            return reply
        }
        for index in 0..<10 {
            XCTAssertEqual(try label("before the outage \(index)")["ok"], true)
            _ = try classify("before the outage, message \(index)")
        }

        // Under load: a second client labels without pause through the stop and the restart.
        let load = try LabelLoad(socketPath: siftd.socketPath)

        try cluster.stop()
        let refused = try label("during the outage")
        XCTAssertEqual(refused["error"]?["code"], "store_unavailable", "\(refused)")
        XCTAssertEqual(try client.call(["op": "correct", "message_id": .int(labelled[0]), "label": "ham"])["error"]?["code"],
                       "store_unavailable")
        // Within the ids the journal reserved before: answered with ids, written later.
        for index in 0..<20 {
            XCTAssertNotNil(try classify("during the outage, message \(index)")["message_id"]?.intValue)
        }
        XCTAssertTrue(RetrainFixture.wait(timeout: 30) { try client.call(["op": "health"])["status"] == "degraded" },
                      "health says degraded while predictions cannot be written")
        // Past them: answered all the same, without an id, and counted.
        var unstored = 0
        for index in 0..<80 where try classify("during the outage, later message \(index)")["message_id"] == .null {
            unstored += 1
        }
        XCTAssertGreaterThan(unstored, 0, "the journal ran out of ids")
        let metrics = try XCTUnwrap(try client.call(["op": "metrics"])["metrics"]?.stringValue)
        XCTAssertTrue(metrics.contains("sift_predictions_lost_total \(unstored)"), metrics)

        try cluster.resume()
        XCTAssertTrue(RetrainFixture.wait(timeout: 30) { try label("after the outage")["ok"] == true }, "labels work again: \(siftd.log)")
        XCTAssertTrue(RetrainFixture.wait(timeout: 60) {
            let health = try client.call(["op": "health"])
            return health["journal_pending"] == .int(0) && health["status"] == "ok"
        }, "the held predictions are written and health is ok: \(String(describing: try? client.call(["op": "health"])))")

        let (loadAcknowledged, loadRefused) = load.finish()
        XCTAssertGreaterThan(loadRefused, 0, "the load met the outage")
        XCTAssertGreaterThan(loadAcknowledged.count, 0, "the load went on after it")

        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
        let store = try PostgresStore(url: cluster.url)
        defer { store.close() }
        for id in labelled + loadAcknowledged {
            XCTAssertEqual(try store.currentLabel(forMessage: id), "spam", "acknowledged label of message \(id)")
        }
        for id in classified { XCTAssertTrue(try store.messageExists(id), "answered prediction of message \(id)") }
        XCTAssertEqual(labelled.count, 11)
        XCTAssertEqual(classified.count, 10 + 20 + 80 - unstored)
    }
}

/// Labels sent one after another on a connection of its own until `finish`: which were
/// acknowledged (with their ids), and how many were refused with `store_unavailable`.
private final class LabelLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var acknowledged: [Int64] = []
    private var refused = 0
    private let done = DispatchSemaphore(value: 0)

    init(socketPath: String) throws {
        let client = try LineClient(socketPath: socketPath)
        client.setReceiveTimeout(seconds: 120)  // beyond the store's 30 s call deadline, twice
        Thread {
            var index = 0
            while !self.lock.withLock({ self.stopping }) {
                index += 1
                let reply = try? client.call(["op": "label", "text": .string("load \(index)"), "label": "spam"])
                self.lock.withLock {
                    if reply?["ok"] == true, let id = reply?["message_id"]?.intValue {
                        self.acknowledged.append(id)
                    } else if reply?["error"]?["code"] == "store_unavailable" {
                        self.refused += 1
                    }
                }
                if reply == nil { break }
            }
            self.done.signal()
        }.start()
    }

    func finish() -> (acknowledged: [Int64], refused: Int) {
        lock.withLock { stopping = true }
        done.wait()
        return lock.withLock { (acknowledged, refused) }
    }
}
