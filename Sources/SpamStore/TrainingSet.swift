import GRDB

/// One labeled message for training or evaluation.
public struct LabeledMessage: Sendable, Equatable {
    public var messageID: MessageID
    public var text: String
    public var label: String
    public var sha256: String
    /// In the holdout set, fixed by the message's hash (see ``Holdout``).
    public var isHoldout: Bool
    /// Who gave the label (the peer's uid); nil for labels from no peer.
    public var peerUID: UInt32?

    public init(messageID: MessageID, text: String, label: String, sha256: String, isHoldout: Bool, peerUID: UInt32? = nil) {
        self.messageID = messageID
        self.text = text
        self.label = label
        self.sha256 = sha256
        self.isHoldout = isHoldout
        self.peerUID = peerUID
    }
}

/// The current labeled set split into training and holdout examples.
public struct HoldoutSplit: Sendable, Equatable {
    public var training: [LabeledMessage]
    public var holdout: [LabeledMessage]

    public var all: [LabeledMessage] { training + holdout }
}

/// Which messages are held out for the promotion gate.
///
/// The assignment depends only on the SHA-256 of the text, so it never changes as labels
/// come and go, and identical texts (common in spam) always land on the same side: a
/// duplicate cannot leak from training into the holdout.
public enum Holdout {
    /// 0..<100: the first four bytes of the hash, big-endian, mod 100.
    public static func bucket(forSHA256Hex hex: String) -> Int {
        let prefix = hex.utf8.prefix(8)
        guard prefix.count == 8, let value = UInt32(String(decoding: prefix, as: UTF8.self), radix: 16) else {
            preconditionFailure("not a SHA-256 hex digest: \(hex)")
        }
        return Int(value % 100)
    }

    public static func isHoldout(sha256Hex hex: String, percent: Int) -> Bool {
        bucket(forSHA256Hex: hex) < percent
    }
}

/// One current label of a message whose text is still stored, as either engine reads it:
/// the input of ``HoldoutSplit/init(currentLabels:holdoutPercent:)``.
package struct CurrentLabelRow {
    package var messageID: MessageID
    package var text: String
    package var sha256: String
    package var label: String
    package var peerUID: UInt32?

    package init(messageID: MessageID, text: String, sha256: String, label: String, peerUID: UInt32?) {
        self.messageID = messageID
        self.text = text
        self.sha256 = sha256
        self.label = label
        self.peerUID = peerUID
    }
}

extension HoldoutSplit {
    package static func validate(holdoutPercent: Int) throws {
        guard (0...100).contains(holdoutPercent) else {
            throw StoreError.invalidArgument("holdout percent \(holdoutPercent) is not in 0...100")
        }
    }

    /// The split ``Store/labeledMessages(holdoutPercent:)`` documents, from the current labels
    /// in the order they were given. Both engines call it, so they split alike.
    package init(currentLabels rows: [CurrentLabelRow], holdoutPercent: Int) {
        var newest: [String: (label: String, peerUID: UInt32?)] = [:]
        for row in rows { newest[row.sha256] = (row.label, row.peerUID) }
        var set = HoldoutSplit(training: [], holdout: [])
        for row in rows {
            let decided = newest[row.sha256]!
            // A copy relabelled by a newer label counts as that label giver's: the per-uid share
            // limit (retrain.max_share_per_uid) must charge whoever flipped it, not its first labeller.
            let relabelled = decided.label != row.label
            let example = LabeledMessage(
                messageID: row.messageID, text: row.text, label: decided.label, sha256: row.sha256,
                isHoldout: Holdout.isHoldout(sha256Hex: row.sha256, percent: holdoutPercent),
                peerUID: relabelled ? decided.peerUID : row.peerUID)
            if example.isHoldout { set.holdout.append(example) } else { set.training.append(example) }
        }
        self = set
    }
}

extension Store {
    /// The latest non-withdrawn label of every message whose text is still stored, split by
    /// ``Holdout`` into training and holdout examples, in the order the labels were given
    /// (oldest first: a correction of an old message counts as new).
    ///
    /// A text's newest label is the label of every message with that text: labelling a known
    /// text again (a spam campaign first called spam, then ham) supersedes what its copies were
    /// labelled, so contradictory duplicates never both train. Copies that agree each count, as
    /// the same mail seen twice does. A relabelled copy carries the uid of the label that decided
    /// it, so the share limit per uid charges whoever flipped it.
    public func labeledMessages(holdoutPercent: Int) throws -> HoldoutSplit {
        try HoldoutSplit.validate(holdoutPercent: holdoutPercent)
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.id, \(MessageTextSQL.text) AS text, m.sha256, l.label, l.peer_uid
                FROM labels l JOIN messages m ON m.id = l.message_id
                \(MessageTextSQL.joins)
                WHERE l.superseded_at IS NULL AND l.label IS NOT NULL AND \(MessageTextSQL.text) IS NOT NULL
                ORDER BY l.id
                """)
        }
        let labels = rows.map { row in
            CurrentLabelRow(
                messageID: row["id"], text: row["text"], sha256: row["sha256"], label: row["label"],
                peerUID: (row["peer_uid"] as Int64?).map { UInt32(truncatingIfNeeded: $0) })
        }
        return HoldoutSplit(currentLabels: labels, holdoutPercent: holdoutPercent)
    }
}
