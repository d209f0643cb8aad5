import Checksum
import Foundation
import GRDB

/// A message and what the model said about it, as the daemon's journal hands them over.
public struct ClassifiedMessage: Sendable, Equatable {
    public var text: String
    public var receivedAt: Date
    public var peer: Peer?
    public var prediction: PredictionRecord

    public init(text: String, receivedAt: Date, peer: Peer?, prediction: PredictionRecord) {
        self.text = text
        self.receivedAt = receivedAt
        self.peer = peer
        self.prediction = prediction
    }
}

extension Store {
    /// Records a batch of classified messages and their predictions in one transaction and
    /// returns the new message ids in batch order. All or nothing: one invalid prediction
    /// rejects the batch before anything is written.
    ///
    /// Unlike every other write, this commit does not wait for fsync (`synchronous =
    /// NORMAL`): the journal already holds predictions in memory before it gets here, so
    /// an fsync would not make them crash-proof, and skipping it about doubles the rate on
    /// a real disk. The commit is still atomic and survives a process crash; a power cut may
    /// lose the last batches. Any later durable commit (a label) syncs them too, since the
    /// WAL is synced in order, so a label is never durable without its message.
    @discardableResult
    public func recordClassified(_ batch: [ClassifiedMessage]) throws -> [MessageID] {
        let rows = try Self.prepare(batch)
        return try pool.writeWithoutTransaction { db in try Self.insertWithoutFsync(rows, db) }
    }

    @discardableResult
    public func recordClassified(_ batch: [ClassifiedMessage]) async throws -> [MessageID] {
        let rows = try Self.prepare(batch)
        return try await pool.writeWithoutTransaction { db in try Self.insertWithoutFsync(rows, db) }
    }

    /// Adds a prediction to a message already stored (e.g. re-scoring by a new model).
    public func recordPrediction(_ prediction: PredictionRecord, forMessage messageID: MessageID, at predictedAt: Date = Date()) throws {
        try Self.validate(prediction)
        try pool.write { db in
            guard try Self.messageExists(messageID, db) else { throw StoreError.unknownMessage(messageID) }
            try Self.insertPrediction(prediction, messageID: messageID, at: predictedAt.storeSeconds, db)
        }
    }

    public func messageExists(_ id: MessageID) throws -> Bool {
        try pool.read { db in try Self.messageExists(id, db) }
    }

    public func messageExists(_ id: MessageID) async throws -> Bool {
        try await pool.read { db in try Self.messageExists(id, db) }
    }

    public func message(_ id: MessageID) throws -> StoredMessage? {
        try pool.read { db in try StoredMessage.fetchOne(db, sql: "SELECT * FROM messages WHERE id = ?", arguments: [id]) }
    }

    /// A message's predictions, oldest first.
    public func predictions(forMessage id: MessageID) throws -> [StoredPrediction] {
        try pool.read { db in
            try StoredPrediction.fetchAll(db, sql: "SELECT * FROM predictions WHERE message_id = ? ORDER BY id", arguments: [id])
        }
    }

    // MARK: - Shared with the label queries

    /// A message ready to insert: hashing happens here, before the write lock is taken,
    /// so the writer holds the lock only for the inserts themselves.
    struct MessageRow: Sendable {
        var text: String
        var sha256: String
        var receivedAt: Double
        var peer: Peer?
        var prediction: PredictionRecord?
    }

    static func prepare(_ batch: [ClassifiedMessage]) throws -> [MessageRow] {
        try batch.map { item in
            try validate(item.prediction)
            return MessageRow(
                text: item.text, sha256: SHA256.hex(item.text), receivedAt: item.receivedAt.storeSeconds,
                peer: item.peer, prediction: item.prediction)
        }
    }

    private static func insertWithoutFsync(_ rows: [MessageRow], _ db: Database) throws -> [MessageID] {
        try inTransactionWithoutFsync(db) { try insert(rows, db) }
    }

    /// Runs `body` in one transaction at `synchronous = NORMAL` (see ``recordClassified(_:)``
    /// for why), then sets FULL again for whatever comes next on this connection, whether
    /// the transaction committed or not.
    static func inTransactionWithoutFsync<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        var value: T?
        let outcome = Result {
            try db.inTransaction(.immediate) {
                value = try body()
                return .commit
            }
        }
        try db.execute(sql: "PRAGMA synchronous = FULL")
        try outcome.get()
        return value!
    }

    static func insert(_ rows: [MessageRow], _ db: Database) throws -> [MessageID] {
        var ids: [MessageID] = []
        ids.reserveCapacity(rows.count)
        for row in rows {
            let id = try insertMessage(row, db)
            if let prediction = row.prediction {
                try insertPrediction(prediction, messageID: id, at: row.receivedAt, db)
            }
            ids.append(id)
        }
        return ids
    }

    static func insertMessage(_ row: MessageRow, _ db: Database) throws -> MessageID {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO messages (text, sha256, received_at, peer_pid, peer_uid, peer_gid) VALUES (?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [row.text, row.sha256, row.receivedAt, row.peer?.pid, row.peer?.uid, row.peer?.gid])
        return db.lastInsertedRowID
    }

    static func insertPrediction(_ prediction: PredictionRecord, messageID: MessageID, at predictedAt: Double, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO predictions (message_id, model_version, label, probability, latency_ms, predicted_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            messageID, prediction.modelVersion, prediction.label, prediction.probability,
            prediction.latencyMilliseconds, predictedAt,
        ])
    }

    static func messageExists(_ id: MessageID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?)", arguments: [id]) ?? false
    }

    static func validate(_ prediction: PredictionRecord) throws {
        guard !prediction.modelVersion.isEmpty else {
            throw StoreError.invalidPrediction(reason: "empty model version")
        }
        try LabelName.validate(prediction.label)
        guard (0...1).contains(prediction.probability) else {
            throw StoreError.invalidPrediction(reason: "probability \(prediction.probability) is not in 0...1")
        }
        guard prediction.latencyMilliseconds >= 0, prediction.latencyMilliseconds.isFinite else {
            throw StoreError.invalidPrediction(reason: "latency \(prediction.latencyMilliseconds) ms")
        }
    }
}
