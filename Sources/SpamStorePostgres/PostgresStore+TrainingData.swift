import Foundation
import PostgresNIO
import SpamStore

/// Labelled data for training, retention and the figures that report on them: what
/// ``TrainingDataStore`` asks, meaning what ``Store``'s methods of the same names document.
extension PostgresStore {
    /// Stores many labelled texts in one transaction (import, the `label` op), under ids from
    /// this instance's reserved block. Returns the ids in order; committed when this returns.
    public func recordLabeledMessages(
        _ items: [LabeledText], source: LabelSource, peer: Peer? = nil, at time: Date = Date()
    ) throws -> [MessageID] {
        for item in items { try LabelName.validate(item.label) }
        guard !items.isEmpty else { return [] }
        var hasher = BatchTextHasher()
        let hashes = items.map { hasher.sha256($0.text) }
        let texts = items.map { StorableText.of($0.text) }
        let labels = items.map(\.label)
        let seconds = time.timeIntervalSince1970
        let (pid, uid, gid) = (peer.map { Int64($0.pid) }, peer.map { Int64($0.uid) }, peer.map { Int64($0.gid) })
        let ids = try takeIDs(items.count)
        try connections.transaction { connection in
            try connections.run("""
                INSERT INTO messages (id, text, sha256, received_at, peer_pid, peer_uid, peer_gid)
                SELECT id, text, sha256, \(seconds), \(pid), \(uid), \(gid)
                FROM unnest(\(ids)::int8[], \(texts)::text[], \(hashes)::text[]) AS t (id, text, sha256)
                """, on: connection)
            // In item order, so label ids (the order labeledMessages reads) follow the items.
            try connections.run("""
                INSERT INTO labels (message_id, label, source, peer_uid, created_at)
                SELECT id, label, \(source.rawValue), \(uid), \(seconds)
                FROM unnest(\(ids)::int8[], \(labels)::text[]) WITH ORDINALITY AS t (id, label, n)
                ORDER BY n
                """, on: connection)
        }
        return ids
    }

    public func messageExists(_ id: MessageID) throws -> Bool {
        try connections.withConnection { connection in
            try connections.run("SELECT EXISTS (SELECT 1 FROM messages WHERE id = \(id))", on: connection)
                .first!.decode(Bool.self)
        }
    }

    /// Like ``Store/labeledMessages(holdoutPercent:)``, split by the same function.
    public func labeledMessages(holdoutPercent: Int) throws -> HoldoutSplit {
        try HoldoutSplit.validate(holdoutPercent: holdoutPercent)
        let rows = try connections.withConnection { connection in
            try connections.run("""
                SELECT m.id, m.text, m.sha256, l.label, l.peer_uid
                FROM labels l JOIN messages m ON m.id = l.message_id
                WHERE l.superseded_at IS NULL AND l.label IS NOT NULL AND m.text IS NOT NULL
                ORDER BY l.id
                """, on: connection).map { row in
                let (id, text, sha256, label, peerUID) = try row.decode((Int64, String, String, String, Int64?).self)
                return CurrentLabelRow(
                    messageID: id, text: text, sha256: sha256, label: label,
                    peerUID: peerUID.map { UInt32(truncatingIfNeeded: $0) })
            }
        }
        return HoldoutSplit(currentLabels: rows, holdoutPercent: holdoutPercent)
    }

    /// Like ``Store/onlineAccuracy(modelVersion:since:)``: each currently labelled message's
    /// latest prediction against its label.
    public func onlineAccuracy(modelVersion: String? = nil, since: Date? = nil) throws -> OnlineAccuracy {
        let since = since?.timeIntervalSince1970
        return try connections.withConnection { connection in
            let row = try connections.run("""
                SELECT count(*), count(*) FILTER (WHERE p.label <> l.label)
                FROM labels l
                JOIN LATERAL (
                    SELECT label, model_version FROM predictions WHERE message_id = l.message_id ORDER BY id DESC LIMIT 1
                ) p ON true
                JOIN messages m ON m.id = l.message_id
                WHERE l.superseded_at IS NULL AND l.label IS NOT NULL
                  AND (\(modelVersion)::text IS NULL OR p.model_version = \(modelVersion))
                  AND (\(since)::float8 IS NULL OR m.received_at > \(since))
                """, on: connection).first!
            let (reviewed, wrong) = try row.decode((Int64, Int64).self)
            return OnlineAccuracy(reviewed: Int(reviewed), wrong: Int(wrong))
        }
    }

    /// Current labels created after the latest successful run started (all of them before one has).
    public func newLabelCountsSinceLastTraining() throws -> LabelCounts {
        try newLabelCounts(since: latestSucceededTrainingRun()?.startedAt)
    }

    /// Like ``Store/dropTextOfUnlabeledMessages(olderThanDays:now:batchSize:)``, on a store that
    /// keeps each message's text in its row: an unlabelled message received before the cutoff
    /// loses its text (`text_dropped_at` = `now`); a labelled one keeps it. Each batch of up to
    /// `batchSize` messages is its own transaction. Returns how many messages lost their text.
    @discardableResult
    public func dropTextOfUnlabeledMessages(olderThanDays days: Int, now: Date = Date(), batchSize: Int = 1_000) throws -> Int {
        guard days >= 0 else { throw StoreError.invalidArgument("retention days must be ≥ 0, not \(days)") }
        guard batchSize > 0 else { throw StoreError.invalidArgument("batch size must be positive, not \(batchSize)") }
        let cutoff = now.timeIntervalSince1970 - Double(days) * 86_400
        var resumeAfter: (receivedAt: Double, id: MessageID) = (-.infinity, .min)
        var dropped = 0
        while true {
            let batch = try dropTextBatch(
                cutoff: cutoff, droppedAt: now.timeIntervalSince1970, after: resumeAfter, limit: batchSize)
            dropped += batch.dropped
            guard let last = batch.last, batch.examined == batchSize else { return dropped }
            resumeAfter = last
        }
    }

    private func dropTextBatch(
        cutoff: Double, droppedAt: Double, after: (receivedAt: Double, id: MessageID), limit: Int
    ) throws -> (examined: Int, dropped: Int, last: (receivedAt: Double, id: MessageID)?) {
        try connections.transaction { connection in
            let candidates = try connections.run("""
                SELECT id, received_at FROM messages m
                WHERE received_at < \(cutoff) AND text IS NOT NULL
                  AND received_at >= \(after.receivedAt) AND (received_at, id) > (\(after.receivedAt), \(after.id))
                  AND NOT EXISTS (SELECT 1 FROM labels l
                                  WHERE l.message_id = m.id AND l.superseded_at IS NULL AND l.label IS NOT NULL)
                ORDER BY received_at, id
                LIMIT \(Int64(limit))
                """, on: connection).map { try $0.decode((Int64, Double).self) }
            guard let last = candidates.last else { return (0, 0, nil) }
            let ids = candidates.map(\.0)
            // Every label writer locks the message row first (setLabel, forgetLabels). Holding
            // these locks, the UPDATE below (a new snapshot) sees every label committed before,
            // and none can arrive until this commits. Locked in id order, as forgetLabels does.
            try connections.run("SELECT 1 FROM messages WHERE id = ANY(\(ids)::int8[]) ORDER BY id FOR UPDATE", on: connection)
            let updated = try connections.run("""
                UPDATE messages m SET text = NULL, text_dropped_at = \(droppedAt)
                WHERE id = ANY(\(ids)::int8[]) AND text IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM labels l
                                  WHERE l.message_id = m.id AND l.superseded_at IS NULL AND l.label IS NOT NULL)
                RETURNING id
                """, on: connection)
            return (candidates.count, Array(updated).count, (last.1, last.0))
        }
    }

    /// Texts as this engine stores them, one per message that still has its text. Counts every
    /// row (no running totals here yet, unlike SQLite's): a sequential scan of `messages`.
    /// The database's size is the whole database's on the server; there is no WAL of its own.
    public func storageFigures() throws -> StorageFigures {
        try connections.withConnection { connection in
            let row = try connections.run("""
                SELECT count(text), coalesce(sum(octet_length(text)), 0)::int8, pg_database_size(current_database())
                FROM messages
                """, on: connection).first!
            let (texts, bytes, databaseBytes) = try row.decode((Int64, Int64, Int64).self)
            return StorageFigures(
                storedTexts: Int(texts), storedTextBytes: bytes, databaseFileBytes: databaseBytes, walFileBytes: 0)
        }
    }
}
