import Foundation
import GPT2
import GRDB
import SpamStore
import XCTest
@testable import SiftDaemon

/// The store cannot take what siftd answers (a full disk, an I/O error), messages repeat, the
/// disk runs low: nothing answered is dropped silently, and the store stays bounded.
final class StoreTroubleTests: DaemonTestCase {
    /// Makes every insert into `messages` fail while `refuse` is set, from outside the daemon, as
    /// a full disk would (SQLite reports SQLITE_FULL the same way: the statement fails).
    private final class RefusingStore {
        let queue: DatabaseQueue

        init(path: String) throws {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)  // the daemon's journal writes meanwhile
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE test_refuse (on_ INTEGER NOT NULL);
                    INSERT INTO test_refuse VALUES (0);
                    CREATE TRIGGER test_refuse_messages BEFORE INSERT ON messages
                    WHEN (SELECT on_ FROM test_refuse) = 1
                    BEGIN SELECT RAISE(ABORT, 'database or disk is full (simulated)'); END;
                    """)
            }
        }

        func refuse(_ on: Bool) throws {
            try queue.write { db in try db.execute(sql: "UPDATE test_refuse SET on_ = ?", arguments: [on ? 1 : 0]) }
        }
    }

    private static func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
        for _ in 0..<3000 {
            if try condition() { return }
            usleep(10_000)
        }
        XCTFail("timed out waiting for: \(what)")
    }

    /// While the store refuses writes, classify is still answered; `health` says degraded with
    /// the reason; the predictions wait in memory and every one lands once the store recovers.
    func testAnsweredPredictionsWaitForAStoreThatRefusesAndThenLand() async throws {
        let fixture = try await start()
        let refusing = try RefusingStore(path: fixture.config.storePath)
        let client = try fixture.connect()
        try refusing.refuse(true)
        var ids: [Int64] = []
        for i in 0..<50 {
            let reply = try client.call(["op": "classify", "text": .string("message \(i) while the disk is full")])
            ids.append(try XCTUnwrap(reply["message_id"]?.intValue, "\(reply)"))
        }
        try Self.waitFor("health degraded") { try client.call(["op": "health"])["status"] == .string("degraded") }
        let health = try client.call(["op": "health"])
        let reasons = health["degraded"].map { "\($0)" } ?? ""
        XCTAssertTrue(reasons.contains("journal") && reasons.contains("disk is full"), reasons)
        XCTAssertGreaterThan(health["journal_pending"]?.intValue ?? 0, 0)

        try refusing.refuse(false)
        try Self.waitFor("health ok") { try client.call(["op": "health"])["status"] == .string("ok") }
        for id in ids {
            let exists = try fixture.daemon.context.store.messageExists(id)
            XCTAssertTrue(exists, "answered prediction \(id) was lost")
        }
        XCTAssertEqual(try client.call(["op": "health"])["journal_pending"], .int(0))
    }

    /// What waits for a refusing store is bounded: past `journal.max_pending_mb`, classify gets
    /// `overloaded` and no id; everything that got an id is stored after recovery.
    func testThePendingJournalIsBoundedAndRefusesInsteadOfDropping() async throws {
        let fixture = try await start { $0.journal.maxPendingBytes = 1 << 20 }
        let refusing = try RefusingStore(path: fixture.config.storePath)
        let client = try fixture.connect()
        try refusing.refuse(true)
        let filler = String(repeating: "x", count: 100_000)
        var ids: [Int64] = []
        var refused = 0
        for i in 0..<40 {
            let reply = try client.call(["op": "classify", "text": .string("\(i) \(filler)")])
            if let id = reply["message_id"]?.intValue {
                ids.append(id)
            } else {
                XCTAssertEqual(reply.errorCode, "overloaded", "\(reply)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 0, "4 MB of texts against a 1 MiB journal bound")
        XCTAssertLessThanOrEqual(ids.count, 11)
        try refusing.refuse(false)
        try Self.waitFor("journal empty") { try client.call(["op": "health"])["journal_pending"] == .int(0) }
        for id in ids {
            let exists = try fixture.daemon.context.store.messageExists(id)
            XCTAssertTrue(exists, "answered prediction \(id) was lost")
        }
    }

    /// 300 identical 1 MiB texts: the text is stored once.
    func testIdenticalHugeTextsAreStoredOnce() async throws {
        let fixture = try await start()
        let client = try fixture.connect()
        let text = String(repeating: "cheap meds online ", count: ((1 << 20) - 100) / 18)
        _ = try client.call(["op": "classify", "text": .string(text)])
        try Self.waitFor("first copy stored") { try client.call(["op": "health"])["journal_pending"] == .int(0) }
        let store = try XCTUnwrap(fixture.daemon.context.store as? Store, "this daemon runs on SQLite")
        // The WAL is a fixed-size ring once it has grown to its checkpoint size: measure the
        // database file after folding the WAL in, as the store will be at rest.
        try store.checkpoint()
        let before = try store.storageFigures()
        for _ in 0..<300 {
            XCTAssertNotNil(try client.call(["op": "classify", "text": .string(text)])["message_id"])
        }
        try Self.waitFor("all stored") { try client.call(["op": "health"])["journal_pending"] == .int(0) }
        try store.checkpoint()
        let after = try store.storageFigures()
        XCTAssertEqual(after.storedTexts, before.storedTexts)
        XCTAssertEqual(after.storedTextBytes, before.storedTextBytes)
        XCTAssertLessThan(after.fileBytes - before.fileBytes, 1_000_000, "300 copies of a 1 MiB text grew the store by \(after.fileBytes - before.fileBytes) bytes")
    }

    /// Below `storage.min_free_mb`, messages are stored without their text and health says so.
    func testBelowTheFreeSpaceFloorTextsAreNotStored() async throws {
        let fixture = try await start { $0.storage.minFreeBytes = .max / 2 }
        let client = try fixture.connect()
        let id = try XCTUnwrap(try client.call(["op": "classify", "text": "a text that must not be stored"])["message_id"]?.intValue)
        try Self.waitFor("stored") { try client.call(["op": "health"])["journal_pending"] == .int(0) }
        let message = try XCTUnwrap(try fixture.daemon.context.store.message(id))
        XCTAssertNil(message.text)
        XCTAssertEqual(message.sha256.count, 64)
        let health = try client.call(["op": "health"])
        XCTAssertEqual(health["status"], .string("degraded"))
        XCTAssertTrue(health["degraded"].map { "\($0)" }?.contains("min_free_mb") ?? false, "\(health)")
    }

    /// The daemon applies `storage.text_retention_days` on its own.
    func testRetentionRunsInTheDaemon() async throws {
        let fixture = try await start { $0.storage.textRetentionDays = 2 }
        let store = fixture.daemon.context.store
        let old = try store.recordClassified([ClassifiedMessage(
            text: "old unlabelled", receivedAt: Date().addingTimeInterval(-5 * 86_400), peer: nil,
            prediction: PredictionRecord(modelVersion: "m", label: "ham", probability: 0.9, latencyMilliseconds: 1))])[0]
        let service = StorageService(context: fixture.daemon.context, interval: .seconds(600), logger: DaemonFixture.quietLogger)
        await service.tick()
        let message = try XCTUnwrap(try store.message(old))
        XCTAssertNil(message.text)
        XCTAssertNotNil(message.textDroppedAt)
    }

    /// journal.durable: a classify is answered only once its prediction is committed, so while
    /// the store refuses, the client waits instead of holding an id that may not survive.
    func testDurableClassifyIsAnsweredOnlyAfterTheCommit() async throws {
        let fixture = try await start { $0.journal.durable = true }
        let refusing = try RefusingStore(path: fixture.config.storePath)
        let observer = try fixture.connect()
        let first = try XCTUnwrap(try observer.call(["op": "classify", "text": "durable one"])["message_id"]?.intValue)
        let exists = try fixture.daemon.context.store.messageExists(first)
        XCTAssertTrue(exists, "answered, so already in the store")

        try refusing.refuse(true)
        let client = try fixture.connect()
        try client.send(["op": "classify", "text": "durable two"])
        try Self.waitFor("health degraded") { try observer.call(["op": "health"])["status"] == .string("degraded") }
        client.setReceiveTimeout(seconds: 1)
        XCTAssertThrowsError(try client.readReply(), "answered while its prediction could not be stored")
        client.setReceiveTimeout(seconds: 60)
        try refusing.refuse(false)
        let reply = try XCTUnwrap(try client.readReply())
        let id = try XCTUnwrap(reply["message_id"]?.intValue, "\(reply)")
        let stored = try fixture.daemon.context.store.messageExists(id)
        XCTAssertTrue(stored)
    }

    /// Message texts are private: the store's files are never readable by others, and the
    /// socket has exactly the configured mode.
    func testStoreFilesAreNotWorldReadableAndTheSocketHasItsMode() async throws {
        let fixture = try await start { $0.socket.mode = 0o600 }
        _ = try fixture.connect().call(["op": "classify", "text": "private"])
        for path in [fixture.config.storePath, fixture.config.storePath + "-wal"] {
            var info = stat()
            XCTAssertEqual(stat(path, &info), 0, path)
            XCTAssertEqual(info.st_mode & 0o007, 0, "\(path) is open to others: \(String(info.st_mode & 0o777, radix: 8))")
        }
        var socket = stat()
        XCTAssertEqual(stat(fixture.socketPath, &socket), 0)
        XCTAssertEqual(socket.st_mode & 0o777, 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (fixture.socketPath as NSString).deletingLastPathComponent)
            .filter { $0.hasPrefix(".siftd-") }
        XCTAssertEqual(leftovers, [], "the private name the socket was bound under is gone")
    }

    /// Shutdown with the store still refusing: the drain ends, and every answered prediction
    /// that could not be stored is counted (and logged with its id), none silently.
    func testShutdownWithAFailingStoreGivesUpCountedNotSilently() async throws {
        let started = try await DaemonFixture.start()
        let refusing = try RefusingStore(path: started.config.storePath)
        let client = try started.connect()
        try refusing.refuse(true)
        var ids: [Int64] = []
        for i in 0..<3 {
            ids.append(try XCTUnwrap(try client.call(["op": "classify", "text": .string("lost \(i)")])["message_id"]?.intValue))
        }
        try await started.stop()
        XCTAssertEqual(started.daemon.context.metrics.exposition().contains("sift_journal_given_up_total 3"), true,
                       started.daemon.context.metrics.exposition())
        let store = try Store(path: started.config.storePath)
        for id in ids {
            let exists = try store.messageExists(id)
            XCTAssertFalse(exists)
        }
        try store.close()
    }
}
