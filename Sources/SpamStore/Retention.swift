import Foundation
import GRDB

extension Store {
    /// Drops the texts of unlabeled messages received more than `days` days before `now`,
    /// keeping their hash and predictions (stats and accuracy still work; training does not
    /// need them). Labeled messages keep their text: they are the training data. Returns how
    /// many messages lost their text; each gets `textDroppedAt` = `now`.
    ///
    /// A text shared by several messages (stored once, see ``TextPlacement``) is deleted only
    /// when none of them is labeled and none was received after the cutoff; until then every
    /// one of them keeps it. A message that carries its own copy (a short text, or one stored
    /// before schema v4) is judged alone.
    ///
    /// Works in batches of `batchSize` old messages, each its own transaction, so a year's
    /// backlog does not hold the write lock (and the prediction journal) for long. Old
    /// messages whose text must stay are looked at again by every run.
    @discardableResult
    public func dropTextOfUnlabeledMessages(olderThanDays days: Int, now: Date = Date(), batchSize: Int = 1_000) throws -> Int {
        guard days >= 0 else { throw StoreError.invalidArgument("retention days must be ≥ 0, not \(days)") }
        guard batchSize > 0 else { throw StoreError.invalidArgument("batch size must be positive, not \(batchSize)") }
        var pass = RetentionPass(cutoff: now.storeSeconds - Double(days) * 86_400, droppedAt: now.storeSeconds)
        var dropped = 0
        while true {
            let batch = try pool.write { db in try pass.runBatch(limit: batchSize, db) }
            dropped += batch.dropped
            if batch.examined < batchSize { return dropped }
        }
    }
}

/// One run of retention: walks the messages received before the cutoff that still have
/// their text, oldest first, a batch per transaction.
struct RetentionPass {
    let cutoff: Double
    let droppedAt: Double
    /// (received_at, id) of the last message examined; the next batch starts after it.
    private var resumeAfter: (receivedAt: Double, id: MessageID) = (-.infinity, 0)
    /// Hashes of shared texts that a labeled message refers to, from the label events up to
    /// `labelEventsRead`. Only ever grows during a run: a label withdrawn meanwhile keeps its
    /// text until the next run, a label added meanwhile is read by the next batch.
    private var labeledHashes: Set<String> = []
    private var labelEventsRead: LabelEventID = 0

    init(cutoff: Double, droppedAt: Double) {
        self.cutoff = cutoff
        self.droppedAt = droppedAt
    }

    /// Examines up to `limit` old messages in the current transaction.
    mutating func runBatch(limit: Int, _ db: Database) throws -> (examined: Int, dropped: Int) {
        try readNewLabels(db)
        let candidates = try Row.fetchAll(
            db,
            sql: """
                SELECT m.id, m.received_at, m.sha256, m.text IS NOT NULL AS has_own_text,
                       EXISTS (SELECT 1 FROM labels l
                               WHERE l.message_id = m.id AND l.superseded_at IS NULL AND l.label IS NOT NULL) AS labeled
                FROM messages m
                WHERE m.received_at < ? AND m.text_dropped_at IS NULL AND (m.received_at, m.id) > (?, ?)
                ORDER BY m.received_at, m.id
                LIMIT ?
                """,
            arguments: [cutoff, resumeAfter.receivedAt, resumeAfter.id, limit])
        var counters = CounterChanges()
        var dropped = 0
        for candidate in candidates {
            let id: MessageID = candidate["id"]
            resumeAfter = (candidate["received_at"], id)
            let dropsText: Bool
            if candidate["has_own_text"] {
                dropsText = try dropOwnText(of: id, labeled: candidate["labeled"], &counters, db)
            } else {
                dropsText = try dropSharedText(sha256: candidate["sha256"], &counters, db)
            }
            if dropsText {
                try db.cachedStatement(sql: "UPDATE messages SET text = NULL, text_dropped_at = ? WHERE id = ?")
                    .execute(arguments: [droppedAt, id])
                dropped += 1
            }
        }
        try counters.write(db)
        return (candidates.count, dropped)
    }

    /// A message with its own copy loses it unless it is labeled.
    private func dropOwnText(of id: MessageID, labeled: Bool, _ counters: inout CounterChanges, _ db: Database) throws -> Bool {
        guard !labeled else { return false }
        let bytes = try Int.fetchOne(db, sql: "SELECT length(CAST(text AS BLOB)) FROM messages WHERE id = ?", arguments: [id]) ?? 0
        counters.countDroppedText(bytes: bytes)
        return true
    }

    /// Whether a message that shares its text loses it: yes when the text is already gone
    /// (an earlier message with it was examined first), or when nothing keeps it, in which
    /// case it is deleted now.
    private func dropSharedText(sha256: String, _ counters: inout CounterChanges, _ db: Database) throws -> Bool {
        guard let text = try Store.distinctText(sha256: sha256, db) else { return true }
        if text.lastReceivedAt >= cutoff || labeledHashes.contains(sha256) { return false }
        try Store.deleteText(text, &counters, db)
        return true
    }

    /// Adds the hashes of shared texts labeled by the label events written since the last
    /// batch. Labels are few; messages are not read except those labeled.
    private mutating func readNewLabels(_ db: Database) throws {
        guard let newest = try LabelEventID.fetchOne(db, sql: "SELECT max(id) FROM labels"), newest > labelEventsRead else {
            return
        }
        let hashes = try String.fetchAll(
            db,
            sql: """
                SELECT m.sha256 FROM labels l JOIN messages m ON m.id = l.message_id
                WHERE l.id > ? AND l.id <= ? AND l.superseded_at IS NULL AND l.label IS NOT NULL
                  AND m.text IS NULL AND m.text_dropped_at IS NULL
                """,
            arguments: [labelEventsRead, newest])
        labeledHashes.formUnion(hashes)
        labelEventsRead = newest
    }
}
