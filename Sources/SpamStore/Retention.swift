import Foundation
import GRDB

extension Store {
    /// Drops the text of unlabeled messages received more than `days` days before `now`,
    /// keeping their hash and predictions (stats and accuracy still work; training does not
    /// need them). Labeled messages keep their text: they are the training data. Returns how
    /// many texts were dropped.
    ///
    /// Works in batches of `batchSize` rows, each its own transaction, so a year's backlog
    /// does not hold the write lock (and the prediction journal) for long.
    @discardableResult
    public func dropTextOfUnlabeledMessages(olderThanDays days: Int, now: Date = Date(), batchSize: Int = 1_000) throws -> Int {
        guard days >= 0 else { throw StoreError.invalidArgument("retention days must be ≥ 0, not \(days)") }
        guard batchSize > 0 else { throw StoreError.invalidArgument("batch size must be positive, not \(batchSize)") }
        let cutoff = now.storeSeconds - Double(days) * 86_400
        let droppedAt = now.storeSeconds
        var dropped = 0
        while true {
            let changed = try pool.write { db in
                try db.execute(
                    sql: """
                        UPDATE messages SET text = NULL, text_dropped_at = ?
                        WHERE id IN (
                            SELECT m.id FROM messages m
                            WHERE m.received_at < ? AND m.text IS NOT NULL
                              AND NOT EXISTS (
                                  SELECT 1 FROM labels l
                                  WHERE l.message_id = m.id AND l.superseded_at IS NULL AND l.label IS NOT NULL)
                            LIMIT ?)
                        """,
                    arguments: [droppedAt, cutoff, batchSize])
                return db.changesCount
            }
            dropped += changed
            if changed < batchSize { return dropped }
        }
    }
}
