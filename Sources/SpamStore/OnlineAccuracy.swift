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

    package init(reviewed: Int, wrong: Int) {
        self.reviewed = reviewed
        self.wrong = wrong
    }
}

extension Store {
    /// Compares each message's latest prediction with its current label. Only messages that
    /// were classified and later labeled count; a withdrawn label takes the message out.
    ///
    /// Driven by the current labels: one index lookup per labeled message, whatever the
    /// number of predictions stored.
    /// - Parameters:
    ///   - modelVersion: only predictions by this model (nil: all).
    ///   - since: only messages received after this (nil: all time).
    public func onlineAccuracy(modelVersion: String? = nil, since: Date? = nil) throws -> OnlineAccuracy {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: OnlineAccuracySQL.reviewedAndWrong, arguments: [modelVersion, since?.storeSeconds])!
            return OnlineAccuracy(reviewed: row["reviewed"], wrong: row["wrong"])
        }
    }
}

enum OnlineAccuracySQL {
    /// Arguments: model version or NULL, received-after time or NULL.
    static let reviewedAndWrong = """
        SELECT count(*) AS reviewed, coalesce(sum(p.label != l.label), 0) AS wrong
        FROM labels l
        JOIN predictions p ON p.id = (SELECT max(id) FROM predictions WHERE message_id = l.message_id)
        JOIN messages m ON m.id = l.message_id
        WHERE l.superseded_at IS NULL AND l.label IS NOT NULL
          AND (?1 IS NULL OR p.model_version = ?1) AND (?2 IS NULL OR m.received_at > ?2)
        """
}
