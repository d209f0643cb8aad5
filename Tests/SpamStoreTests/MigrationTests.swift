import Foundation
import GRDB
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
}
