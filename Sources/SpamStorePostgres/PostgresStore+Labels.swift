import Checksum
import Foundation
import PostgresNIO
import SpamStore

/// Labels with their history, as ``Store`` keeps them: one row per event, the current one not
/// superseded, a NULL label for a withdrawal. Each write is one transaction at PostgreSQL's
/// default `synchronous_commit = on`: flushed to the server's WAL before the call returns.
extension PostgresStore {
    @discardableResult
    public func setLabel(
        _ label: String, forMessage messageID: MessageID, source: LabelSource,
        peerUID: UInt32? = nil, at time: Date = Date()
    ) throws -> LabelEvent {
        try LabelName.validate(label)
        return try connections.transaction { connection in
            try lockMessage(messageID, connection)
            return try appendLabelEvent(label, messageID: messageID, source: source, peerUID: peerUID, at: time, connection)
        }
    }

    @discardableResult
    public func forgetLabel(
        forMessage messageID: MessageID, source: LabelSource, peerUID: UInt32? = nil, at time: Date = Date()
    ) throws -> LabelEvent? {
        try connections.transaction { connection in
            try lockMessage(messageID, connection)
            guard try currentLabel(messageID, connection) != nil else { return nil }
            return try appendLabelEvent(nil, messageID: messageID, source: source, peerUID: peerUID, at: time, connection)
        }
    }

    public func forgetLabels(
        ofText text: String, source: LabelSource, peerUID: UInt32? = nil, at time: Date = Date()
    ) throws -> [MessageID] {
        let sha256 = SHA256.hex(text)
        return try connections.transaction { connection in
            // Locks the messages found, in id order (so two such calls cannot deadlock), then
            // checks each still has a label: one may have been withdrawn while we waited.
            let candidates = try connections.run("""
                SELECT m.id FROM labels l JOIN messages m ON m.id = l.message_id
                WHERE l.superseded_at IS NULL AND l.label IS NOT NULL AND m.sha256 = \(sha256)
                ORDER BY m.id FOR UPDATE OF m
                """, on: connection).map { try $0.decode(Int64.self) }
            var withdrawn: [MessageID] = []
            for id in candidates where try currentLabel(id, connection) != nil {
                _ = try appendLabelEvent(nil, messageID: id, source: source, peerUID: peerUID, at: time, connection)
                withdrawn.append(id)
            }
            return withdrawn
        }
    }

    public func currentLabelEvent(forMessage messageID: MessageID) throws -> LabelEvent? {
        try connections.withConnection { connection in
            try labelEvents("WHERE message_id = \(messageID) AND superseded_at IS NULL", connection).first
        }
    }

    public func currentLabel(forMessage messageID: MessageID) throws -> String? {
        try currentLabelEvent(forMessage: messageID)?.label
    }

    public func labelHistory(forMessage messageID: MessageID) throws -> [LabelEvent] {
        try connections.withConnection { connection in
            try labelEvents("WHERE message_id = \(messageID) ORDER BY id", connection)
        }
    }

    // MARK: - In a transaction

    /// Takes the message's row lock, so label changes to one message from any node apply one
    /// after the other (the statements after it see the other's committed event), or throws
    /// ``StoreError/unknownMessage(_:)``.
    private func lockMessage(_ messageID: MessageID, _ connection: PostgresConnection) throws {
        let rows = try connections.run("SELECT 1 FROM messages WHERE id = \(messageID) FOR UPDATE", on: connection)
        guard !rows.isEmpty else { throw StoreError.unknownMessage(messageID) }
    }

    private func currentLabel(_ messageID: MessageID, _ connection: PostgresConnection) throws -> String? {
        let rows = try connections.run(
            "SELECT label FROM labels WHERE message_id = \(messageID) AND superseded_at IS NULL", on: connection)
        return try rows.first?.decode(String?.self)
    }

    private func appendLabelEvent(
        _ label: String?, messageID: MessageID, source: LabelSource, peerUID: UInt32?, at time: Date,
        _ connection: PostgresConnection
    ) throws -> LabelEvent {
        let seconds = time.timeIntervalSince1970
        // Retire the current event first: the unique index allows one current event per message.
        try connections.run(
            "UPDATE labels SET superseded_at = \(seconds) WHERE message_id = \(messageID) AND superseded_at IS NULL",
            on: connection)
        let rows = try connections.run("""
            INSERT INTO labels (message_id, label, source, peer_uid, created_at)
            VALUES (\(messageID), \(label), \(source.rawValue), \(peerUID.map(Int64.init)), \(seconds))
            RETURNING id
            """, on: connection)
        return LabelEvent(
            id: try rows.first!.decode(Int64.self), messageID: messageID, label: label, source: source,
            peerUID: peerUID, createdAt: time, supersededAt: nil)
    }

    private static func peerUID(_ stored: Int64) throws -> UInt32 {
        guard let uid = UInt32(exactly: stored) else { throw StoreError.databaseError(detail: "peer uid \(stored) out of range") }
        return uid
    }

    private func labelEvents(_ condition: PostgresQuery, _ connection: PostgresConnection) throws -> [LabelEvent] {
        var query: PostgresQuery = "SELECT id, message_id, label, source, peer_uid, created_at, superseded_at FROM labels "
        query.sql += condition.sql
        query.binds = condition.binds
        return try connections.run(query, on: connection).map { row in
            let (id, messageID, label, sourceName, peerUID, createdAt, supersededAt) = try row.decode(
                (Int64, Int64, String?, String, Int64?, Double, Double?).self)
            guard let source = LabelSource(rawValue: sourceName) else {
                throw StoreError.databaseError(detail: "unknown label source \(sourceName.debugDescription)")
            }
            return LabelEvent(
                id: id, messageID: messageID, label: label, source: source, peerUID: try peerUID.map(Self.peerUID),
                createdAt: Date(timeIntervalSince1970: createdAt),
                supersededAt: supersededAt.map(Date.init(timeIntervalSince1970:)))
        }
    }
}
