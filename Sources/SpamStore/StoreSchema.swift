import GRDB

/// The schema as a list of migrations. A migration, once shipped, never changes: a database
/// in the field is only ever moved forward by appending new ones.
enum StoreSchema {
    /// Identifiers in the order they apply.
    static let migrationIdentifiers = [
        "v1-core-tables", "v2-retention-and-stats", "v3-retraining", "v4-distinct-texts-and-counters",
        "v5-fleet",
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrationIdentifiers[0], migrate: createCoreTables)
        migrator.registerMigration(migrationIdentifiers[1], migrate: addRetentionAndStats)
        migrator.registerMigration(migrationIdentifiers[2], migrate: addRetraining)
        migrator.registerMigration(migrationIdentifiers[3], migrate: addDistinctTextsAndCounters)
        migrator.registerMigration(migrationIdentifiers[4], migrate: addFleet)
        return migrator
    }

    /// v1: the five tables. Times are Unix seconds (REAL). Checks live in the schema too,
    /// so a bug in any writer (this module, a future one, a hand-run sqlite3) cannot store
    /// a probability of 3 or a status nobody reads. `messages.sha256` is deliberately not
    /// indexed: hashes are random, so such an index dirties a different page for nearly
    /// every row of a journal batch, which more than halved the recording rate.
    private static func createCoreTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                text TEXT,
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                received_at REAL NOT NULL,
                peer_pid INTEGER,
                peer_uid INTEGER,
                peer_gid INTEGER
            );

            CREATE TABLE predictions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                model_version TEXT NOT NULL,
                label TEXT NOT NULL,
                probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
                latency_ms REAL NOT NULL CHECK (latency_ms >= 0),
                predicted_at REAL NOT NULL
            );
            CREATE INDEX predictions_on_message_id ON predictions(message_id);

            -- One row per event. The current event of a message is the one not yet superseded;
            -- a NULL label is a withdrawal (forget). Old rows stay: they are the history.
            CREATE TABLE labels (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                label TEXT CHECK (label IS NULL OR length(label) > 0),
                source TEXT NOT NULL CHECK (source IN ('correction', 'import', 'api')),
                peer_uid INTEGER,
                created_at REAL NOT NULL,
                superseded_at REAL
            );
            CREATE INDEX labels_on_message_id ON labels(message_id);
            CREATE UNIQUE INDEX labels_current_per_message ON labels(message_id) WHERE superseded_at IS NULL;

            CREATE TABLE training_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                started_at REAL NOT NULL,
                finished_at REAL,
                status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
                train_examples INTEGER,
                holdout_examples INTEGER,
                metrics TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
                error TEXT
            );

            CREATE TABLE models (
                version TEXT PRIMARY KEY NOT NULL,
                path TEXT NOT NULL,
                created_at REAL NOT NULL,
                base_model_sha256 TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('candidate', 'active', 'rejected', 'retired')),
                metrics TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
                training_run_id INTEGER REFERENCES training_runs(id) ON DELETE SET NULL
            );
            CREATE UNIQUE INDEX models_one_active ON models(status) WHERE status = 'active';
            """)
    }

    /// v2: remember when retention dropped a message's text, and index the times that
    /// retention and the daily stats scan, so neither reads every row of a year-old store.
    private static func addRetentionAndStats(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE messages ADD COLUMN text_dropped_at REAL;
            CREATE INDEX messages_on_received_at ON messages(received_at);
            CREATE INDEX labels_on_created_at ON labels(created_at);
            """)
    }

    /// v3: what the retraining loop records while a run is under way (who started it, the
    /// trainer's pid, its latest progress line) and when a model's files were pruned.
    private static func addRetraining(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE training_runs ADD COLUMN trigger TEXT;
            ALTER TABLE training_runs ADD COLUMN pid INTEGER;
            ALTER TABLE training_runs ADD COLUMN progress TEXT;
            ALTER TABLE models ADD COLUMN pruned_at REAL;
            """)
    }

    /// v5: what a store shared by several nodes needs, kept in SQLite too so that both engines
    /// answer the same contract: the node that started a run and its trainer's last
    /// heartbeat, and the nodes' own reports (one row on a single machine).
    private static func addFleet(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE training_runs ADD COLUMN node TEXT;
            ALTER TABLE training_runs ADD COLUMN heartbeat_at REAL;
            CREATE TABLE nodes (
                name TEXT PRIMARY KEY NOT NULL,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                serving_version TEXT NOT NULL,
                precision TEXT NOT NULL,
                started_at REAL NOT NULL,
                seen_at REAL NOT NULL
            );
            """)
    }
}
