import GRDB

/// What one write transaction changes in the counters (schema v4): messages per day, messages
/// per day by their latest prediction's label, and the stored-text totals. Gathered while
/// the transaction inserts or drops rows and written once before it commits, so a journal
/// batch costs a few upserts on hot pages rather than a few per message.
struct CounterChanges {
    private struct DayLabel: Hashable {
        var day: UTCDay
        var label: String
    }

    private var messagesByDay: [UTCDay: Int] = [:]
    private var latestPredictionsByDay: [DayLabel: Int] = [:]
    private var storedTexts = 0
    private var storedTextBytes: Int64 = 0

    mutating func countMessage(receivedAt: Double) {
        messagesByDay[UTCDay(containing: receivedAt), default: 0] += 1
    }

    /// The latest prediction of a message received at `receivedAt` went from `previous`
    /// (nil: it had none) to `label`.
    mutating func countLatestPrediction(receivedAt: Double, from previous: String?, to label: String) {
        guard previous != label else { return }
        let day = UTCDay(containing: receivedAt)
        if let previous { latestPredictionsByDay[DayLabel(day: day, label: previous), default: 0] -= 1 }
        latestPredictionsByDay[DayLabel(day: day, label: label), default: 0] += 1
    }

    mutating func countStoredText(bytes: Int) {
        storedTexts += 1
        storedTextBytes += Int64(bytes)
    }

    mutating func countDroppedText(bytes: Int) {
        storedTexts -= 1
        storedTextBytes -= Int64(bytes)
    }

    func write(_ db: Database) throws {
        let messages = try db.cachedStatement(sql: """
            INSERT INTO daily_message_counts (day, messages) VALUES (?, ?)
            ON CONFLICT (day) DO UPDATE SET messages = messages + excluded.messages
            """)
        for (day, count) in messagesByDay where count != 0 {
            try messages.execute(arguments: [day.number, count])
        }
        let predictions = try db.cachedStatement(sql: """
            INSERT INTO daily_prediction_counts (day, label, messages) VALUES (?, ?, ?)
            ON CONFLICT (day, label) DO UPDATE SET messages = messages + excluded.messages
            """)
        for (key, count) in latestPredictionsByDay where count != 0 {
            try predictions.execute(arguments: [key.day.number, key.label, count])
        }
        if storedTexts != 0 || storedTextBytes != 0 {
            try db.cachedStatement(sql: "UPDATE stored_text_totals SET texts = texts + ?, bytes = bytes + ? WHERE id = 1")
                .execute(arguments: [storedTexts, storedTextBytes])
        }
    }
}
