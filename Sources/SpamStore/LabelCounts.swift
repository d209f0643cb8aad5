import Foundation
import GRDB

/// How many current labels are newer than some instant: what the retrainer weighs to
/// decide whether a new run is worth it.
public struct LabelCounts: Sendable, Equatable {
    public var total: Int
    public var byLabel: [String: Int]

    public init(total: Int, byLabel: [String: Int]) {
        self.total = total
        self.byLabel = byLabel
    }
}

extension Store {
    /// Current labels (latest, not withdrawn) created after `time`. A label that was
    /// superseded or withdrawn since does not count: only what a run would now train on.
    public func newLabelCounts(since time: Date?) throws -> LabelCounts {
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: Self.newLabelCountsSQL, arguments: [time?.storeSeconds ?? -Double.infinity])
        }
        var counts = LabelCounts(total: 0, byLabel: [:])
        for row in rows {
            let n: Int = row["n"]
            counts.byLabel[row["label"]] = n
            counts.total += n
        }
        return counts
    }

    /// Current labels by label, created after the argument. Reads only labels.
    static let newLabelCountsSQL = """
        SELECT label, count(*) AS n FROM labels
        WHERE superseded_at IS NULL AND label IS NOT NULL AND created_at > ?
        GROUP BY label
        """

    /// ``newLabelCounts(since:)`` since the start of the latest successful training run
    /// (labels added while it ran count as new: it may not have seen them), or all
    /// current labels when no run has succeeded yet.
    public func newLabelCountsSinceLastTraining() throws -> LabelCounts {
        try newLabelCounts(since: latestSucceededTrainingRun()?.startedAt)
    }
}
