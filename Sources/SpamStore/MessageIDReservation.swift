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
    /// transaction: all or nothing. `ids[i]` is the id of `batch[i]`.
    ///
    /// - Parameters:
    ///   - storingText: false stores the messages, their hashes and predictions but not their
    ///     texts (what the daemon does when the disk is nearly full). Such a message reads as
    ///     text nil with `textDroppedAt` equal to its received time, as if retention had
    ///     dropped its text on arrival, even when the same text is stored for another message.
    ///     Stats and accuracy count it like any other; training skips it.
    ///   - durable: false (the default) commits without waiting for fsync, like
    ///     ``recordClassified(_:)``; true fsyncs the commit like every other write, for a
    ///     caller that answers only once its predictions are on disk.
    public func recordClassified(
        _ batch: [ClassifiedMessage], ids: [MessageID], storingText: Bool = true, durable: Bool = false
    ) throws {
        let rows = try Self.prepareReserved(batch, ids: ids)
        try pool.writeWithoutTransaction { db in
            try Self.inJournalTransaction(db, durable: durable) { _ = try Self.insert(rows, storingText: storingText, db) }
        }
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

    private static func prepareReserved(
        _ batch: [ClassifiedMessage], ids: [MessageID]
    ) throws -> [(id: MessageID?, row: MessageRow)] {
        guard batch.count == ids.count else {
            throw StoreError.invalidArgument("\(batch.count) messages but \(ids.count) ids")
        }
        return zip(ids, try prepare(batch)).map { (id: $0, row: $1) }
    }
}
