import Foundation
import GRDB

/// A stored message. `text` is nil once retention has dropped it, or when it was recorded
/// without its text (``Store/recordClassified(_:ids:storingText:)``); the hash stays.
public struct StoredMessage: Sendable, Equatable {
    public var id: MessageID
    public var text: String?
    public var sha256: String
    public var receivedAt: Date
    public var peer: Peer?
    /// When retention dropped the text, if it did; the received time for a message recorded
    /// without its text.
    public var textDroppedAt: Date?

    package init(id: MessageID, text: String?, sha256: String, receivedAt: Date, peer: Peer?, textDroppedAt: Date?) {
        self.id = id
        self.text = text
        self.sha256 = sha256
        self.receivedAt = receivedAt
        self.peer = peer
        self.textDroppedAt = textDroppedAt
    }
}

/// What a model said about a message.
public struct PredictionRecord: Sendable, Equatable {
    public var modelVersion: String
    public var label: String
    /// Probability of `label`, 0...1.
    public var probability: Double
    /// Time spent classifying this message (its share of the batch, or the verdict cache lookup for a repeated text, as the daemon measures it).
    public var latencyMilliseconds: Double

    public init(modelVersion: String, label: String, probability: Double, latencyMilliseconds: Double) {
        self.modelVersion = modelVersion
        self.label = label
        self.probability = probability
        self.latencyMilliseconds = latencyMilliseconds
    }
}

/// A prediction as stored, with its row and time.
public struct StoredPrediction: Sendable, Equatable {
    public var id: Int64
    public var messageID: MessageID
    public var prediction: PredictionRecord
    public var predictedAt: Date

    package init(id: Int64, messageID: MessageID, prediction: PredictionRecord, predictedAt: Date) {
        self.id = id
        self.messageID = messageID
        self.prediction = prediction
        self.predictedAt = predictedAt
    }
}

/// One entry of a message's label history: a label, or (label nil) its withdrawal.
public struct LabelEvent: Sendable, Equatable {
    public var id: LabelEventID
    public var messageID: MessageID
    /// nil: this event withdrew the message's label (`forget`).
    public var label: String?
    public var source: LabelSource
    public var peerUID: UInt32?
    public var createdAt: Date
    /// When a later event replaced this one; nil while it is the message's current event.
    public var supersededAt: Date?

    package init(
        id: LabelEventID, messageID: MessageID, label: String?, source: LabelSource, peerUID: UInt32?,
        createdAt: Date, supersededAt: Date?
    ) {
        self.id = id
        self.messageID = messageID
        self.label = label
        self.source = source
        self.peerUID = peerUID
        self.createdAt = createdAt
        self.supersededAt = supersededAt
    }

    public var isWithdrawal: Bool { label == nil }
    public var isCurrent: Bool { supersededAt == nil }
}

extension StoredMessage: FetchableRecord {
    public init(row: Row) throws {
        id = row["id"]
        text = row["text"]
        sha256 = row["sha256"]
        receivedAt = Date(storeSeconds: row["received_at"])
        if let pid: Int32 = row["peer_pid"], let uid: UInt32 = row["peer_uid"], let gid: UInt32 = row["peer_gid"] {
            peer = Peer(pid: pid, uid: uid, gid: gid)
        }
        textDroppedAt = (row["text_dropped_at"] as Double?).map(Date.init(storeSeconds:))
    }
}

extension StoredPrediction: FetchableRecord {
    public init(row: Row) throws {
        id = row["id"]
        messageID = row["message_id"]
        prediction = PredictionRecord(
            modelVersion: row["model_version"], label: row["label"],
            probability: row["probability"], latencyMilliseconds: row["latency_ms"])
        predictedAt = Date(storeSeconds: row["predicted_at"])
    }
}

extension LabelEvent: FetchableRecord {
    public init(row: Row) throws {
        id = row["id"]
        messageID = row["message_id"]
        label = row["label"]
        let sourceName: String = row["source"]
        guard let source = LabelSource(rawValue: sourceName) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "unknown label source \(sourceName)")
        }
        self.source = source
        peerUID = row["peer_uid"]
        createdAt = Date(storeSeconds: row["created_at"])
        supersededAt = (row["superseded_at"] as Double?).map(Date.init(storeSeconds:))
    }
}
