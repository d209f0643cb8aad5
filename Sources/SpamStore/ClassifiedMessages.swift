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
        let rows = try Self.prepare(batch).map { (id: MessageID?.none, row: $0) }
        return try pool.writeWithoutTransaction { db in
            try Self.inJournalTransaction(db) { try Self.insert(rows, storingText: true, db) }
        }
    }

    /// Adds a prediction to a message already stored (e.g. re-scoring by a new model). It
    /// becomes the message's latest prediction, which is what ``dailyStats(days:now:spamLabel:)``
    /// and ``onlineAccuracy(modelVersion:since:)`` count.
    public func recordPrediction(_ prediction: PredictionRecord, forMessage messageID: MessageID, at predictedAt: Date = Date()) throws {
        try Self.validate(prediction)
        try pool.write { db in
            guard let receivedAt = try Double.fetchOne(
                db, sql: "SELECT received_at FROM messages WHERE id = ?", arguments: [messageID])
            else { throw StoreError.unknownMessage(messageID) }
            let previous = try String.fetchOne(
                db, sql: "SELECT label FROM predictions WHERE message_id = ? ORDER BY id DESC LIMIT 1", arguments: [messageID])
            try Self.insertPrediction(prediction, messageID: messageID, at: predictedAt.storeSeconds, db)
            var counters = CounterChanges()
            counters.countLatestPrediction(receivedAt: receivedAt, from: previous, to: prediction.label)
            try counters.write(db)
        }
    }

    public func messageExists(_ id: MessageID) throws -> Bool {
        try pool.read { db in try Self.messageExists(id, db) }
    }

    /// The message with this id; its text is nil once dropped (by retention, or never stored).
    public func message(_ id: MessageID) throws -> StoredMessage? {
        try pool.read { db in
            try StoredMessage.fetchOne(
                db,
                sql: """
                    SELECT m.id, m.sha256, m.received_at, m.peer_pid, m.peer_uid, m.peer_gid, m.text_dropped_at,
                           \(MessageTextSQL.text) AS text
                    FROM messages m \(MessageTextSQL.joins)
                    WHERE m.id = ?
                    """,
                arguments: [id])
        }
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
        /// UTF-8 size of `text`.
        var textBytes: Int
        var receivedAt: Double
        var peer: Peer?
        var prediction: PredictionRecord?

        /// `sha256`: of the text as received; `text` is kept as ``StorableText`` has it.
        init(text: String, sha256: String, receivedAt: Double, peer: Peer?, prediction: PredictionRecord?) {
            self.text = StorableText.of(text)
            self.sha256 = sha256
            textBytes = self.text.utf8.count
            self.receivedAt = receivedAt
            self.peer = peer
            self.prediction = prediction
        }
    }

    static func prepare(_ batch: [ClassifiedMessage]) throws -> [MessageRow] {
        var hasher = BatchTextHasher()
        return try batch.map { item in
            try validate(item.prediction)
            return MessageRow(
                text: item.text, sha256: hasher.sha256(item.text), receivedAt: item.receivedAt.storeSeconds,
                peer: item.peer, prediction: item.prediction)
        }
    }

    /// Runs `body` in one transaction at `synchronous = NORMAL` (see ``recordClassified(_:)``
    /// for why), then sets FULL again for whatever comes next on this connection, whether
    /// the transaction committed or not. `durable`: at FULL, fsynced like every other write.
    static func inJournalTransaction<T>(_ db: Database, durable: Bool = false, _ body: () throws -> T) throws -> T {
        var value: T?
        func transaction() throws {
            try db.inTransaction(.immediate) {
                value = try body()
                return .commit
            }
        }
        if durable {
            try transaction()
        } else {
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let outcome = Result { try transaction() }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try outcome.get()
        }
        return value!
    }

    /// Inserts messages and their predictions, under the given ids (nil: the next
    /// AUTOINCREMENT id), with the counters they change. Returns the ids in order.
    static func insert(
        _ rows: [(id: MessageID?, row: MessageRow)], storingText: Bool, _ db: Database
    ) throws -> [MessageID] {
        var counters = CounterChanges()
        let ids = try rows.map { id, row in try insertMessage(row, id: id, storingText: storingText, &counters, db) }
        try counters.write(db)
        return ids
    }

    /// One message, its text (see ``TextPlacement``; none when `storingText` is false) and its
    /// prediction. A message stored without its text reads like one whose text retention
    /// dropped at the moment it arrived: text nil, `textDroppedAt` its received time.
    static func insertMessage(
        _ row: MessageRow, id: MessageID?, storingText: Bool, _ counters: inout CounterChanges, _ db: Database
    ) throws -> MessageID {
        var ownText: String?
        switch TextPlacement(storingText: storingText, bytes: row.textBytes) {
        case .shared:
            try storeText(row.text, sha256: row.sha256, bytes: row.textBytes, receivedAt: row.receivedAt, &counters, db)
        case .own:
            ownText = row.text
            counters.countStoredText(bytes: row.textBytes)
        case .none:
            break
        }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO messages (id, text, sha256, received_at, peer_pid, peer_uid, peer_gid, text_dropped_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            id, ownText, row.sha256, row.receivedAt, row.peer?.pid, row.peer?.uid, row.peer?.gid,
            storingText ? nil : row.receivedAt,
        ])
        let messageID = db.lastInsertedRowID
        counters.countMessage(receivedAt: row.receivedAt)
        if let prediction = row.prediction {
            try insertPrediction(prediction, messageID: messageID, at: row.receivedAt, db)
            counters.countLatestPrediction(receivedAt: row.receivedAt, from: nil, to: prediction.label)
        }
        return messageID
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

    package static func validate(_ prediction: PredictionRecord) throws {
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
