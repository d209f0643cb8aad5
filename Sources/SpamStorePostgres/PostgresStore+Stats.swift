import Foundation
import PostgresNIO
import SpamStore

/// Statistics computed from the rows, in the days asked for (the SQLite store reads per-day
/// counters instead; see ``PostgresSchema`` for why none exist here yet). Days are UTC and
/// numbered like ``UTCDay``: floor(Unix seconds / 86400).
extension PostgresStore {
    public func dailyStats(days: Int, now: Date = Date(), spamLabel: String = "spam") throws -> [DailyStats] {
        guard days > 0 else { throw StoreError.invalidArgument("days must be positive, not \(days)") }
        let today = UTCDay(containing: now.timeIntervalSince1970)
        let first = UTCDay(number: today.number - Int64(days - 1))
        let start = first.start
        let end = today.start + UTCDay.seconds

        let (messages, spam, corrections) = try connections.withConnection { connection in
            (
                try countsByDay("""
                    SELECT floor(received_at / 86400)::int8, count(*) FROM messages
                    WHERE received_at >= \(start) AND received_at < \(end) GROUP BY 1
                    """, connection),
                // Messages whose latest prediction has the label: a re-score moves a message.
                try countsByDay("""
                    SELECT floor(m.received_at / 86400)::int8, count(*) FROM messages m
                    JOIN LATERAL (
                        SELECT label FROM predictions p WHERE p.message_id = m.id ORDER BY p.id DESC LIMIT 1
                    ) latest ON true
                    WHERE m.received_at >= \(start) AND m.received_at < \(end) AND latest.label = \(spamLabel)
                    GROUP BY 1
                    """, connection),
                try countsByDay("""
                    SELECT floor(created_at / 86400)::int8, count(*) FROM labels
                    WHERE created_at >= \(start) AND created_at < \(end) AND source = 'correction' AND label IS NOT NULL
                    GROUP BY 1
                    """, connection)
            )
        }
        return (0..<Int64(days)).map { offset in
            let day = first.number + offset
            return DailyStats(
                day: UTCDay(number: day).isoDate, messages: messages[day] ?? 0, spam: spam[day] ?? 0,
                corrections: corrections[day] ?? 0)
        }
    }

    public func newLabelCounts(since time: Date?) throws -> LabelCounts {
        let since = time?.timeIntervalSince1970 ?? -Double.infinity
        let rows = try connections.withConnection { connection in
            try connections.run("""
                SELECT label, count(*) FROM labels
                WHERE superseded_at IS NULL AND label IS NOT NULL AND created_at > \(since)
                GROUP BY label
                """, on: connection)
        }
        var counts = LabelCounts(total: 0, byLabel: [:])
        for row in rows {
            let (label, n) = try row.decode((String, Int64).self)
            counts.byLabel[label] = Int(n)
            counts.total += Int(n)
        }
        return counts
    }

    private func countsByDay(_ query: PostgresQuery, _ connection: PostgresConnection) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try connections.run(query, on: connection) {
            let (day, count) = try row.decode((Int64, Int64).self)
            counts[day] = Int(count)
        }
        return counts
    }
}
