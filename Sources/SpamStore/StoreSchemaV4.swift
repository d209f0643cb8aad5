import GRDB

extension StoreSchema {
    /// v4: texts stored once per distinct content, and counters that `stats` and the storage
    /// metrics read instead of scanning messages and predictions.
    ///
    /// Texts. A message whose text is shared (long texts, see ``TextPlacement``) stores NULL in
    /// `messages.text` and finds its text through its hash: `distinct_texts`, then
    /// `text_bodies`. Short texts, and every text stored before v4, stay in `messages.text`,
    /// which readers take first (see ``MessageTextSQL``). Old rows are left in place rather
    /// than moved: moving them would rewrite the whole file in one transaction, needing that
    /// much free disk for the WAL on exactly the stores that are short of it.
    /// A text body is never updated after its insert, because rewriting any column of a 1 MiB
    /// row rewrites the whole row (about a millisecond); what changes each time the text
    /// arrives again lives in its small `distinct_texts` row. `distinct_texts.body_id` is not
    /// declared as a foreign key: checking one on delete would scan `distinct_texts` for want
    /// of an index, and the two rows are only ever inserted and deleted together.
    ///
    /// Counters. Per UTC day (``UTCDay``): messages received, and messages by the label of
    /// their latest prediction. The totals of stored texts (shared ones, and copies kept in
    /// message rows). All are kept up to date by the writers of this module in the
    /// transactions that change what they count, and backfilled here from the rows already
    /// stored. They carry no CHECKs: a counter that drifted (say after a hand-run sqlite3
    /// insert) should make a statistic wrong, not a write fail.
    static func addDistinctTextsAndCounters(_ db: Database) throws {
        let messageDay = UTCDay.sql("m.received_at")
        try db.execute(sql: """
            CREATE TABLE text_bodies (
                id INTEGER PRIMARY KEY,
                text TEXT NOT NULL
            );
            CREATE TABLE distinct_texts (
                sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
                body_id INTEGER NOT NULL,
                bytes INTEGER NOT NULL CHECK (bytes >= 0),
                -- When a message with this text last arrived: retention keeps the text until then + its days.
                last_received_at REAL NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE daily_message_counts (
                day INTEGER PRIMARY KEY,
                messages INTEGER NOT NULL
            );
            CREATE TABLE daily_prediction_counts (
                day INTEGER NOT NULL,
                label TEXT NOT NULL,
                messages INTEGER NOT NULL,
                PRIMARY KEY (day, label)
            ) WITHOUT ROWID;
            CREATE TABLE stored_text_totals (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                texts INTEGER NOT NULL,
                bytes INTEGER NOT NULL
            );

            INSERT INTO daily_message_counts (day, messages)
                SELECT \(messageDay), count(*) FROM messages m GROUP BY 1;
            INSERT INTO daily_prediction_counts (day, label, messages)
                SELECT \(messageDay), latest.label, count(*)
                FROM (SELECT message_id, label, max(id) FROM predictions GROUP BY message_id) latest
                JOIN messages m ON m.id = latest.message_id
                GROUP BY 1, 2;
            INSERT INTO stored_text_totals (id, texts, bytes)
                SELECT 1, count(*), coalesce(sum(length(CAST(text AS BLOB))), 0) FROM messages WHERE text IS NOT NULL;
            """)
    }
}
