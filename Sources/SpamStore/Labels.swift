import Checksum
import Foundation
import GRDB

/// A text with its label, for the `label` op and bulk import: a new message and its first
/// label in one step.
public struct LabeledText: Sendable, Equatable {
    public var text: String
    public var label: String

    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}

extension Store {
    /// Labels a stored message. A message's previous label (if any) is superseded, not
    /// deleted: it stays in ``labelHistory(forMessage:)``. Returns after the commit.
    @discardableResult
    public func setLabel(
        _ label: String, forMessage messageID: MessageID, source: LabelSource,
        peerUID: UInt32? = nil, at time: Date = Date()
    ) throws -> LabelEvent {
        try LabelName.validate(label)
        return try pool.write { db in
            try Self.appendLabelEvent(label, messageID: messageID, source: source, peerUID: peerUID, at: time.storeSeconds, db)
        }
    }

    /// Withdraws a message's label: the message counts as unlabeled again (for training
    /// and retention), and the withdrawal joins its history. Returns the withdrawal event,
    /// or nil when the message had no label to withdraw (nothing is written then).
    @discardableResult
    public func forgetLabel(
        forMessage messageID: MessageID, source: LabelSource, peerUID: UInt32? = nil, at time: Date = Date()
    ) throws -> LabelEvent? {
        try pool.write { db in
            try Self.withdrawLabel(messageID: messageID, source: source, peerUID: peerUID, at: time.storeSeconds, db)
        }
    }

    /// Withdraws the label of every labelled message whose text is exactly `text` (`sift learn
    /// --forget`, spamc's `TELL Remove`: the client knows the text, not the ids). Returns the ids
    /// whose label was withdrawn, in one transaction. Walks the current labels, not the
    /// messages: `messages.sha256` has no index, and labelled messages are the few.
    public func forgetLabels(ofText text: String, source: LabelSource, peerUID: UInt32? = nil, at time: Date = Date()) throws -> [MessageID] {
        let sha256 = SHA256.hex(text)
        return try pool.write { db in
            let ids = try MessageID.fetchAll(db, sql: """
                SELECT labels.message_id FROM labels JOIN messages ON messages.id = labels.message_id
                WHERE labels.superseded_at IS NULL AND labels.label IS NOT NULL AND messages.sha256 = ?
                ORDER BY labels.message_id
                """, arguments: [sha256])
            for id in ids {
                _ = try Self.appendLabelEvent(nil, messageID: id, source: source, peerUID: peerUID, at: time.storeSeconds, db)
            }
            return ids
        }
    }

    /// Stores a new message with its label in one transaction (the `label` op). Returns its id.
    public func recordLabeledMessage(
        _ item: LabeledText, source: LabelSource, peer: Peer? = nil, at time: Date = Date()
    ) throws -> MessageID {
        try recordLabeledMessages([item], source: source, peer: peer, at: time)[0]
    }

    /// Stores many labeled texts in one transaction (import). Returns the ids in order.
    public func recordLabeledMessages(
        _ items: [LabeledText], source: LabelSource, peer: Peer? = nil, at time: Date = Date()
    ) throws -> [MessageID] {
        let rows = try Self.prepare(items, peer: peer, at: time)
        return try pool.write { db in try Self.insertLabeled(rows, source: source, peerUID: peer?.uid, db) }
    }

    /// The message's current label event (possibly a withdrawal), or nil if it never had one.
    public func currentLabelEvent(forMessage messageID: MessageID) throws -> LabelEvent? {
        try pool.read { db in
            try LabelEvent.fetchOne(
                db, sql: "SELECT * FROM labels WHERE message_id = ? AND superseded_at IS NULL", arguments: [messageID])
        }
    }

    /// The message's current label, or nil if it has none (never labeled, or withdrawn).
    public func currentLabel(forMessage messageID: MessageID) throws -> String? {
        try currentLabelEvent(forMessage: messageID)?.label
    }

    /// Every label event of a message, oldest first.
    public func labelHistory(forMessage messageID: MessageID) throws -> [LabelEvent] {
        try pool.read { db in
            try LabelEvent.fetchAll(db, sql: "SELECT * FROM labels WHERE message_id = ? ORDER BY id", arguments: [messageID])
        }
    }

    // MARK: - In a write transaction

    private static func appendLabelEvent(
        _ label: String?, messageID: MessageID, source: LabelSource, peerUID: UInt32?, at time: Double, _ db: Database
    ) throws -> LabelEvent {
        guard try messageExists(messageID, db) else { throw StoreError.unknownMessage(messageID) }
        // Retire the current event first: the unique index allows one current event per message.
        try db.execute(
            sql: "UPDATE labels SET superseded_at = ? WHERE message_id = ? AND superseded_at IS NULL",
            arguments: [time, messageID])
        let statement = try db.cachedStatement(sql: """
            INSERT INTO labels (message_id, label, source, peer_uid, created_at) VALUES (?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [messageID, label, source.rawValue, peerUID, time])
        return LabelEvent(
            id: db.lastInsertedRowID, messageID: messageID, label: label, source: source,
            peerUID: peerUID, createdAt: Date(storeSeconds: time), supersededAt: nil)
    }

    private static func withdrawLabel(
        messageID: MessageID, source: LabelSource, peerUID: UInt32?, at time: Double, _ db: Database
    ) throws -> LabelEvent? {
        guard try messageExists(messageID, db) else { throw StoreError.unknownMessage(messageID) }
        let current = try String.fetchOne(
            db, sql: "SELECT label FROM labels WHERE message_id = ? AND superseded_at IS NULL", arguments: [messageID])
        guard current != nil else { return nil }
        return try appendLabelEvent(nil, messageID: messageID, source: source, peerUID: peerUID, at: time, db)
    }

    private static func prepare(_ items: [LabeledText], peer: Peer?, at time: Date) throws -> [(MessageRow, String)] {
        let seconds = time.storeSeconds
        var hasher = BatchTextHasher()
        return try items.map { item in
            try LabelName.validate(item.label)
            let message = MessageRow(text: item.text, sha256: hasher.sha256(item.text), receivedAt: seconds, peer: peer, prediction: nil)
            return (message, item.label)
        }
    }

    private static func insertLabeled(
        _ rows: [(MessageRow, String)], source: LabelSource, peerUID: UInt32?, _ db: Database
    ) throws -> [MessageID] {
        var counters = CounterChanges()
        let ids = try rows.map { message, label in
            let id = try insertMessage(message, id: nil, storingText: true, &counters, db)
            try db.cachedStatement(sql: """
                INSERT INTO labels (message_id, label, source, peer_uid, created_at) VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [id, label, source.rawValue, peerUID, message.receivedAt])
            return id
        }
        try counters.write(db)
        return ids
    }
}
