import GRDB

/// Texts stored once per distinct content (schema v4, see ``TextPlacement``): messages with
/// the same text share one copy, found through their hash.
extension Store {
    /// A distinct text as retention sees it.
    struct DistinctText {
        var sha256: String
        var bodyID: Int64
        var bytes: Int
        /// When a message with this text last arrived.
        var lastReceivedAt: Double
    }

    /// Makes sure the text with hash `sha256` is stored, and notes that a message with it
    /// arrived at `receivedAt`. A text seen before costs a lookup (and an update of its
    /// small row when this message is its newest); only a new one writes the text.
    static func storeText(
        _ text: String, sha256: String, bytes: Int, receivedAt: Double, _ counters: inout CounterChanges, _ db: Database
    ) throws {
        if let known = try distinctText(sha256: sha256, db) {
            if receivedAt > known.lastReceivedAt {
                try db.cachedStatement(sql: "UPDATE distinct_texts SET last_received_at = ? WHERE sha256 = ?")
                    .execute(arguments: [receivedAt, sha256])
            }
            return
        }
        try db.cachedStatement(sql: "INSERT INTO text_bodies (text) VALUES (?)").execute(arguments: [text])
        try db.cachedStatement(sql: """
            INSERT INTO distinct_texts (sha256, body_id, bytes, last_received_at) VALUES (?, ?, ?, ?)
            """).execute(arguments: [sha256, db.lastInsertedRowID, bytes, receivedAt])
        counters.countStoredText(bytes: bytes)
    }

    static func distinctText(sha256: String, _ db: Database) throws -> DistinctText? {
        let statement = try db.cachedStatement(sql: """
            SELECT body_id, bytes, last_received_at FROM distinct_texts WHERE sha256 = ?
            """)
        return try Row.fetchOne(statement, arguments: [sha256]).map { row in
            DistinctText(sha256: sha256, bodyID: row[0], bytes: row[1], lastReceivedAt: row[2])
        }
    }

    /// Deletes a distinct text. Messages that referred to it read as without text from now on,
    /// marked or not; should the same content arrive again, those not yet marked (by
    /// retention, which marks them as it comes to them) would read it again, which is the
    /// same text (see ``MessageTextSQL``).
    static func deleteText(_ text: DistinctText, _ counters: inout CounterChanges, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM text_bodies WHERE id = ?").execute(arguments: [text.bodyID])
        try db.cachedStatement(sql: "DELETE FROM distinct_texts WHERE sha256 = ?").execute(arguments: [text.sha256])
        counters.countDroppedText(bytes: text.bytes)
    }
}
