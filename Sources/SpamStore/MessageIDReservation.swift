import Foundation
import GRDB

/// Message ids handed out before their message is written.
///
/// The daemon answers `classify` with a message id at once and writes the message later, in a
/// batch. It takes those ids from a block reserved here: the reservation is committed before any
/// id of the block is used, and it moves the table's AUTOINCREMENT counter past the block, so
/// neither a later reservation, nor an ordinary insert, nor a daemon restarted after a crash can
/// give one of those ids to another message. Ids of a block that were never used stay unused.
extension Store {
    /// Reserves `count` consecutive message ids and returns them. Returns after the commit.
    public func reserveMessageIDs(count: Int) throws -> ClosedRange<MessageID> {
        guard count > 0 else { throw StoreError.invalidArgument("cannot reserve \(count) message ids") }
        return try pool.write { db in try Self.reserveMessageIDs(count: Int64(count), db) }
    }

    /// Records classified messages under ids from ``reserveMessageIDs(count:)``, in one
    /// transaction: all or nothing. `ids[i]` is the id of `batch[i]`. Like
    /// ``recordClassified(_:)``, the commit does not wait for fsync.
    public func recordClassified(_ batch: [ClassifiedMessage], ids: [MessageID]) throws {
        let rows = try Self.prepareReserved(batch, ids: ids)
        try pool.writeWithoutTransaction { db in try Self.inTransactionWithoutFsync(db) { try Self.insertReserved(rows, db) } }
    }

    public func recordClassified(_ batch: [ClassifiedMessage], ids: [MessageID]) async throws {
        let rows = try Self.prepareReserved(batch, ids: ids)
        try await pool.writeWithoutTransaction { db in try Self.inTransactionWithoutFsync(db) { try Self.insertReserved(rows, db) } }
    }

    private static func reserveMessageIDs(count: Int64, _ db: Database) throws -> ClosedRange<MessageID> {
        // The counter is absent until the first AUTOINCREMENT insert; max(id) covers rows
        // inserted with explicit ids below it.
        let counter = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'messages'")
        let largest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM messages") ?? 0
        let first = max(counter ?? 0, largest) + 1
        let last = first + count - 1
        if counter == nil {
            try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('messages', ?)", arguments: [last])
        } else {
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'messages'", arguments: [last])
        }
        return first...last
    }

    private static func prepareReserved(_ batch: [ClassifiedMessage], ids: [MessageID]) throws -> [(MessageID, MessageRow)] {
        guard batch.count == ids.count else {
            throw StoreError.invalidArgument("\(batch.count) messages but \(ids.count) ids")
        }
        return Array(zip(ids, try prepare(batch)))
    }

    private static func insertReserved(_ rows: [(MessageID, MessageRow)], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO messages (id, text, sha256, received_at, peer_pid, peer_uid, peer_gid) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for (id, row) in rows {
            try statement.execute(arguments: [id, row.text, row.sha256, row.receivedAt, row.peer?.pid, row.peer?.uid, row.peer?.gid])
            if let prediction = row.prediction {
                try insertPrediction(prediction, messageID: id, at: row.receivedAt, db)
            }
        }
    }
}
