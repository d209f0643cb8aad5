import Foundation
import GRDB
@testable import SpamStore

/// The stats as schema v3 computed them, by scanning every message and prediction: the
/// reference the counter-based queries are checked against.
enum ScanningStatsOracle {
    /// Per UTC day ("YYYY-MM-DD") from `start` on: messages, and those whose latest prediction is `spamLabel`.
    static func traffic(since start: Double, spamLabel: String, _ db: Database) throws -> [String: (messages: Int, spam: Int)] {
        let rows = try Row.fetchAll(
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
        var traffic: [String: (messages: Int, spam: Int)] = [:]
        for row in rows { traffic[row["day"]] = (row["messages"], row["spam"]) }
        return traffic
    }

    static func onlineAccuracy(modelVersion: String?, since: Double?, _ db: Database) throws -> OnlineAccuracy {
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
            arguments: [modelVersion, since])!
        return OnlineAccuracy(reviewed: row["reviewed"], wrong: row["wrong"])
    }

    static func corrections(since start: Double, _ db: Database) throws -> [String: Int] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT date(created_at, 'unixepoch') AS day, count(*) AS corrections FROM labels
                WHERE created_at >= ? AND source = 'correction' AND label IS NOT NULL
                GROUP BY day
                """,
            arguments: [start])
        var corrections: [String: Int] = [:]
        for row in rows { corrections[row["day"]] = row["corrections"] }
        return corrections
    }

    /// What v3's `dailyStats(days:now:spamLabel:)` returned.
    static func dailyStats(days: Int, now: Date, spamLabel: String, _ db: Database) throws -> [DailyStats] {
        let today = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let start = today - Double(days - 1) * 86_400
        let traffic = try traffic(since: start, spamLabel: spamLabel, db)
        let corrections = try corrections(since: start, db)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return (0..<days).map { index in
            let day = formatter.string(from: Date(timeIntervalSince1970: start + Double(index) * 86_400))
            return DailyStats(
                day: day, messages: traffic[day]?.messages ?? 0, spam: traffic[day]?.spam ?? 0,
                corrections: corrections[day] ?? 0)
        }
    }
}
