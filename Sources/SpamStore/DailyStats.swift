import Foundation
import GRDB

/// One UTC day of traffic.
public struct DailyStats: Sendable, Equatable {
    /// "YYYY-MM-DD", UTC.
    public var day: String
    /// Messages received that day.
    public var messages: Int
    /// Of those, how many the latest prediction called spam.
    public var spam: Int
    /// Corrections made that day (label events from the `correct` op, withdrawals excluded).
    public var corrections: Int
}

extension Store {
    /// The last `days` UTC days up to `now`, oldest first, days without traffic included as zeros.
    public func dailyStats(days: Int, now: Date = Date(), spamLabel: String = "spam") throws -> [DailyStats] {
        guard days > 0 else { throw StoreError.invalidArgument("days must be positive, not \(days)") }
        let secondsPerDay = 86_400.0
        let today = (now.storeSeconds / secondsPerDay).rounded(.down) * secondsPerDay
        let start = today - Double(days - 1) * secondsPerDay

        let (traffic, corrections) = try pool.read { db in
            let traffic = try Row.fetchAll(
                db,
                sql: """
                    WITH latest AS (
                        SELECT message_id, label, max(id) FROM predictions GROUP BY message_id
                    )
                    SELECT date(m.received_at, 'unixepoch') AS day, count(*) AS messages,
                           coalesce(sum(latest.label = ?2), 0) AS spam
                    FROM messages m LEFT JOIN latest ON latest.message_id = m.id
                    WHERE m.received_at >= ?1
                    GROUP BY day
                    """,
                arguments: [start, spamLabel])
            let corrections = try Row.fetchAll(
                db,
                sql: """
                    SELECT date(created_at, 'unixepoch') AS day, count(*) AS corrections FROM labels
                    WHERE created_at >= ? AND source = 'correction' AND label IS NOT NULL
                    GROUP BY day
                    """,
                arguments: [start])
            return (traffic, corrections)
        }

        var byDay: [String: DailyStats] = [:]
        var order: [String] = []
        for index in 0..<days {
            let day = Self.utcDay(start + Double(index) * secondsPerDay)
            order.append(day)
            byDay[day] = DailyStats(day: day, messages: 0, spam: 0, corrections: 0)
        }
        for row in traffic {
            let day: String = row["day"]
            byDay[day]?.messages = row["messages"]
            byDay[day]?.spam = row["spam"]
        }
        for row in corrections {
            let day: String = row["day"]
            byDay[day]?.corrections = row["corrections"]
        }
        return order.compactMap { byDay[$0] }
    }

    private static func utcDay(_ seconds: Double) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date(storeSeconds: seconds))
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
