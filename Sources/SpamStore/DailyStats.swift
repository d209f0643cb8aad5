import Foundation
import GRDB

/// One UTC day of traffic.
public struct DailyStats: Sendable, Equatable {
    /// "YYYY-MM-DD", UTC.
    public var day: String
    /// Messages received that day.
    public var messages: Int
    /// Of those, how many the latest prediction called spam (a re-score with
    /// ``Store/recordPrediction(_:forMessage:at:)`` moves a message between labels).
    public var spam: Int
    /// Corrections made that day (label events from the `correct` op, withdrawals excluded).
    public var corrections: Int

    package init(day: String, messages: Int, spam: Int, corrections: Int) {
        self.day = day
        self.messages = messages
        self.spam = spam
        self.corrections = corrections
    }
}

extension Store {
    /// The last `days` UTC days up to `now`, oldest first, days without traffic included as zeros.
    ///
    /// Reads the per-day counters (schema v4) and the label events of the period, so its cost
    /// depends on `days` and the number of labels, not on how many messages are stored.
    public func dailyStats(days: Int, now: Date = Date(), spamLabel: String = "spam") throws -> [DailyStats] {
        guard days > 0 else { throw StoreError.invalidArgument("days must be positive, not \(days)") }
        let today = UTCDay(containing: now.storeSeconds)
        let first = UTCDay(number: today.number - Int64(days - 1))
        let range: StatementArguments = [first.number, today.number]

        let (messages, spam, corrections) = try pool.read { db in
            (
                try Self.countsByDay(DailyStatsSQL.messages, range, db),
                try Self.countsByDay(DailyStatsSQL.latestPredictions, range + [spamLabel], db),
                try Self.countsByDay(DailyStatsSQL.corrections, [first.start, today.start + UTCDay.seconds], db)
            )
        }
        return (0..<Int64(days)).map { offset in
            let day = first.number + offset
            return DailyStats(
                day: UTCDay(number: day).isoDate, messages: messages[day] ?? 0, spam: spam[day] ?? 0,
                corrections: corrections[day] ?? 0)
        }
    }

    private static func countsByDay(_ sql: String, _ arguments: StatementArguments, _ db: Database) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            counts[row[0]] = row[1]
        }
        return counts
    }
}

/// The queries behind ``Store/dailyStats(days:now:spamLabel:)``; each yields (day number, count).
enum DailyStatsSQL {
    /// Arguments: first and last day.
    static let messages = "SELECT day, messages FROM daily_message_counts WHERE day BETWEEN ? AND ?"

    /// Messages per day whose latest prediction has a label. Arguments: first and last day, label.
    static let latestPredictions = """
        SELECT day, messages FROM daily_prediction_counts WHERE day BETWEEN ? AND ? AND label = ?
        """

    /// Label events from the `correct` op, withdrawals excluded. Arguments: start and end (Unix seconds).
    static let corrections = """
        SELECT \(UTCDay.sql("created_at")) AS day, count(*) FROM labels
        WHERE created_at >= ? AND created_at < ? AND source = 'correction' AND label IS NOT NULL
        GROUP BY day
        """
}
