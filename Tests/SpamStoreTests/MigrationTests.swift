import Checksum
import Foundation
import GRDB
import TestSupport
import XCTest
@testable import SpamStore

final class MigrationTests: XCTestCase {
    func testNewDatabaseHasEveryMigrationAndWALAndForeignKeys() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.path("new.sqlite"))
        defer { try? store.close() }

        try store.pool.read { db in
            XCTAssertEqual(try StoreSchema.migrator.appliedMigrations(db), StoreSchema.migrationIdentifiers)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA journal_mode"), "wal")
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), 1)
            for table in ["messages", "predictions", "labels", "models", "training_runs"] {
                XCTAssertTrue(try db.tableExists(table), table)
            }
            XCTAssertTrue(try db.columns(in: "messages").contains { $0.name == "text_dropped_at" })
        }
        try store.pool.write { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), 1)
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA synchronous"), 2, "the writer commits with synchronous = FULL")
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA busy_timeout"), 5_000)
        }
    }

    func testForeignKeysAreEnforced() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.path("fk.sqlite"))
        defer { try? store.close() }
        XCTAssertThrowsError(try store.pool.write { db in
            try db.execute(sql: "INSERT INTO labels (message_id, label, source, created_at) VALUES (999, 'ham', 'api', 0)")
        })
    }

    /// A database made by the previous release (v1 only) with data in it: opening it with
    /// the current store keeps every row and adds what v2 brings.
    func testOpeningPreviousSchemaMigratesAndKeepsData() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("old.sqlite")
        let old = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(old, upTo: StoreSchema.migrationIdentifiers[0])
        try old.write { db in
            XCTAssertFalse(try db.columns(in: "messages").contains { $0.name == "text_dropped_at" })
            try db.execute(sql: """
                INSERT INTO messages (id, text, sha256, received_at, peer_pid, peer_uid, peer_gid)
                    VALUES (1, 'old and unlabeled', '\(String(repeating: "a", count: 64))', 1000, 7, 1000, 100);
                INSERT INTO messages (id, text, sha256, received_at) VALUES (2, 'old and labeled', '\(String(repeating: "b", count: 64))', 1000);
                INSERT INTO predictions (message_id, model_version, label, probability, latency_ms, predicted_at)
                    VALUES (1, '1', 'spam', 0.8, 4, 1000);
                INSERT INTO labels (message_id, label, source, peer_uid, created_at) VALUES (2, 'ham', 'import', NULL, 1001);
                INSERT INTO training_runs (started_at, finished_at, status, train_examples, holdout_examples, metrics)
                    VALUES (1002, 1003, 'succeeded', 10, 2, '{"accuracy":0.9}');
                INSERT INTO models (version, path, created_at, base_model_sha256, status, metrics, training_run_id)
                    VALUES ('1', '/models/1', 1004, '\(String(repeating: "c", count: 64))', 'active', NULL, 1);
                """)
        }
        try old.close()

        let store = try Store(path: path)
        defer { try? store.close() }
        try store.pool.read { db in
            XCTAssertEqual(try StoreSchema.migrator.appliedMigrations(db), StoreSchema.migrationIdentifiers)
            XCTAssertTrue(try db.columns(in: "messages").contains { $0.name == "text_dropped_at" })
            XCTAssertTrue(try db.indexes(on: "messages").contains { $0.name == "messages_on_received_at" })
        }
        let message = try XCTUnwrap(try store.message(1))
        XCTAssertEqual(message.text, "old and unlabeled")
        XCTAssertEqual(message.peer, Peer(pid: 7, uid: 1000, gid: 100))
        XCTAssertNil(message.textDroppedAt)
        XCTAssertEqual(try store.predictions(forMessage: 1).map(\.prediction.label), ["spam"])
        XCTAssertEqual(try store.currentLabel(forMessage: 2), "ham")
        XCTAssertEqual(try store.activeModel()?.version, "1")
        XCTAssertEqual(try store.latestTrainingRun()?.dataCounts, TrainingDataCounts(trainingExamples: 10, holdoutExamples: 2))

        // And v2's column works on the old rows.
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 1), 1)
        XCTAssertNotNil(try store.message(1)?.textDroppedAt)
        XCTAssertEqual(try store.message(2)?.text, "old and labeled")
    }

    func testReopeningDoesNotReapplyMigrations() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("twice.sqlite")
        var store = try Store(path: path)
        let id = try store.recordLabeledMessage(LabeledText(text: "hi", label: "ham"), source: .api)
        try store.close()
        store = try Store(path: path)
        defer { try? store.close() }
        XCTAssertEqual(try store.currentLabel(forMessage: id), "ham")
    }

    func testDatabaseFromANewerSiftIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("newer.sqlite")
        try Store(path: path).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()

        XCTAssertThrowsError(try Store(path: path)) { error in
            XCTAssertEqual(error as? StoreError, .schemaTooNew(path: path, unknownMigrations: ["v99-from-the-future"]))
            XCTAssertTrue("\(error)".contains("newer sift"))
        }
    }

    /// A store made by the previous release (v3) with texts (short, long, repeated, one already
    /// dropped), predictions with a re-score, and labels: after the move to v4 every text reads
    /// as before, and the counters hold what the old scans computed.
    func testOpeningAVersion3StoreKeepsEveryTextReadableAndBackfillsTheCounters() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v3.sqlite")
        let old = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(old, upTo: StoreSchema.migrationIdentifiers[2])
        let long = String(repeating: "a long text stored once per message before v4. ", count: 40)
        let texts: [MessageID: String?] = [1: "short", 2: long, 3: long, 4: nil, 5: "labeled", 6: "yesterday"]
        let noon = fixedNoon.timeIntervalSince1970
        try old.write { db in
            for (id, text) in texts.sorted(by: { $0.key < $1.key }) {
                let receivedAt = id == 6 ? noon - day : noon - Double(id)
                try db.execute(
                    sql: "INSERT INTO messages (id, text, sha256, received_at, text_dropped_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, text, SHA256.hex(text ?? "dropped"), receivedAt, text == nil ? noon : nil])
            }
            try db.execute(sql: """
                INSERT INTO predictions (message_id, model_version, label, probability, latency_ms, predicted_at) VALUES
                    (1, '1', 'spam', 0.9, 1, 0), (2, '1', 'spam', 0.9, 1, 0), (3, '1', 'ham', 0.9, 1, 0),
                    (4, '1', 'spam', 0.9, 1, 0), (6, '1', 'spam', 0.9, 1, 0), (2, '2', 'ham', 0.6, 1, 1);
                INSERT INTO labels (message_id, label, source, created_at) VALUES
                    (5, 'ham', 'import', \(noon)), (1, 'ham', 'correction', \(noon)), (3, 'ham', 'correction', \(noon));
                """)
        }
        let expectedStats = try old.read { db in
            try (ScanningStatsOracle.dailyStats(days: 3, now: fixedNoon, spamLabel: "spam", db),
                 ScanningStatsOracle.dailyStats(days: 3, now: fixedNoon, spamLabel: "ham", db),
                 ScanningStatsOracle.onlineAccuracy(modelVersion: nil, since: nil, db))
        }
        try old.close()

        let store = try Store(path: path)
        defer { try? store.close() }
        try store.pool.read { db in
            XCTAssertEqual(try StoreSchema.migrator.appliedMigrations(db), StoreSchema.migrationIdentifiers)
        }
        for (id, text) in texts {
            XCTAssertEqual(try store.message(id)?.text, text, "message \(id)")
        }
        XCTAssertEqual(try store.message(4)?.textDroppedAt, fixedNoon)
        XCTAssertEqual(Set(try store.labeledMessages(holdoutPercent: 0).all.map(\.text)), ["labeled", "short", long])
        XCTAssertEqual(try store.dailyStats(days: 3, now: fixedNoon, spamLabel: "spam"), expectedStats.0)
        XCTAssertEqual(try store.dailyStats(days: 3, now: fixedNoon, spamLabel: "ham"), expectedStats.1)
        XCTAssertEqual(try store.dailyStats(days: 1, now: fixedNoon).last?.spam, 2, "1 and 4; 2 was re-scored ham")
        XCTAssertEqual(try store.onlineAccuracy(), expectedStats.2)
        let liveTexts = texts.values.compactMap { $0 }
        XCTAssertEqual(try store.storageFigures().storedTexts, liveTexts.count)
        XCTAssertEqual(try store.storageFigures().storedTextBytes, Int64(liveTexts.reduce(0) { $0 + $1.utf8.count }))

        // New writes share the long text; the old copies are untouched until retention.
        let newID = try store.recordClassified([ClassifiedMessage(
            text: long, receivedAt: fixedNoon, peer: nil,
            prediction: PredictionRecord(modelVersion: "2", label: "spam", probability: 0.8, latencyMilliseconds: 1))])[0]
        XCTAssertEqual(try store.message(newID)?.text, long)
        XCTAssertEqual(try store.message(2)?.text, long)
        XCTAssertEqual(try store.dailyStats(days: 1, now: fixedNoon).last?.messages, 6)

        // Retention drops old unlabeled copies (2, 6) and counts them out; the shared copy stays (new).
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 0, now: fixedNoon - 0.5), 2)
        XCTAssertNil(try store.message(2)?.text)
        XCTAssertEqual(try store.message(3)?.text, long)
        XCTAssertEqual(try store.message(newID)?.text, long)
        XCTAssertEqual(try store.storageFigures().storedTexts, 4, "short, long (3), labeled, and the shared long")
    }
}
