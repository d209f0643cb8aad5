import Foundation
import GRDB

/// How the served predictions fared against what people later said.
public struct OnlineAccuracy: Sendable, Equatable {
    /// Predicted messages that now carry a label (corrected or confirmed).
    public var reviewed: Int
    /// Of those, how many the label contradicts.
    public var wrong: Int

    /// 1 - wrong/reviewed; nil before anything has been reviewed.
    public var accuracy: Double? { reviewed == 0 ? nil : Double(reviewed - wrong) / Double(reviewed) }
}

extension Store {
    /// Compares each message's latest prediction with its current label. Only messages that
    /// were classified and later labeled count; a withdrawn label takes the message out.
    /// - Parameters:
    ///   - modelVersion: only predictions by this model (nil: all).
    ///   - since: only messages received after this (nil: all time).
    public func onlineAccuracy(modelVersion: String? = nil, since: Date? = nil) throws -> OnlineAccuracy {
        try pool.read { db in
            // max(id) picks the latest prediction; SQLite returns the other bare columns
            // from that same row.
            let row = try Row.fetchOne(
                db,
                sql: """
                    WITH latest AS (
                        SELECT message_id, label, model_version, max(id) FROM predictions GROUP BY message_id
                    )
                    SELECT count(*) AS reviewed, coalesce(sum(latest.label != l.label), 0) AS wrong
                    FROM latest
                    JOIN labels l ON l.message_id = latest.message_id AND l.superseded_at IS NULL AND l.label IS NOT NULL
                    JOIN messages m ON m.id = latest.message_id
                    WHERE (?1 IS NULL OR latest.model_version = ?1) AND (?2 IS NULL OR m.received_at > ?2)
                    """,
                arguments: [modelVersion, since?.storeSeconds])!
            return OnlineAccuracy(reviewed: row["reviewed"], wrong: row["wrong"])
        }
    }
}
