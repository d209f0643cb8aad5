import PostgresNIO
import SpamStore

/// The PostgreSQL schema as numbered migrations, the same story as the SQLite store's
/// (``StoreSchema``): a migration, once shipped, never changes; a database only moves forward
/// by appending new ones. `schema_version` records each one applied.
///
/// Tables mirror the SQLite store's columns, times included: Unix seconds as `double precision`,
/// so a time reads back exactly as written on either engine. Texts stay in `messages.text`
/// (no shared-text tables yet) and the daily statistics are computed from the rows (no
/// counters yet): both are optimisations the SQLite store needed on one disk, to be measured
/// here before they are copied.
enum PostgresSchema {
    struct Migration {
        var version: Int
        var name: String
        var statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "core-tables", statements: [
            // Ids come from here in blocks (PostgresStore.reserveMessageIDs), never one by one.
            "CREATE SEQUENCE message_ids AS bigint",
            """
            CREATE TABLE messages (
                id bigint PRIMARY KEY,
                text text,
                sha256 text NOT NULL CHECK (length(sha256) = 64),
                received_at double precision NOT NULL,
                peer_pid bigint,
                peer_uid bigint,
                peer_gid bigint,
                text_dropped_at double precision
            )
            """,
            "CREATE INDEX messages_on_received_at ON messages (received_at)",
            """
            CREATE TABLE predictions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                model_version text NOT NULL,
                label text NOT NULL,
                probability double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
                latency_ms double precision NOT NULL CHECK (latency_ms >= 0),
                predicted_at double precision NOT NULL
            )
            """,
            "CREATE INDEX predictions_on_message_id ON predictions (message_id)",
            // One row per event; the current one is not superseded; a NULL label is a withdrawal.
            """
            CREATE TABLE labels (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                label text CHECK (label IS NULL OR length(label) > 0),
                source text NOT NULL CHECK (source IN ('correction', 'import', 'api')),
                peer_uid bigint,
                created_at double precision NOT NULL,
                superseded_at double precision
            )
            """,
            "CREATE INDEX labels_on_message_id ON labels (message_id)",
            "CREATE UNIQUE INDEX labels_current_per_message ON labels (message_id) WHERE superseded_at IS NULL",
            "CREATE INDEX labels_on_created_at ON labels (created_at)",
        ]),
        // The rest of SiftStore: the SQLite store's training_runs, models and nodes (its v5),
        // plus model_files, since nodes that share the store do not share a disk.
        Migration(version: 2, name: "registry-runs-nodes", statements: [
            // SQLite's json_valid: metrics stay the text the trainer wrote (jsonb would reorder
            // and respace it), checked as JSON. A function, because a cast that fails raises.
            """
            CREATE FUNCTION sift_json_valid(value text) RETURNS boolean
            LANGUAGE plpgsql IMMUTABLE STRICT AS $$
            BEGIN
                PERFORM value::jsonb;
                RETURN true;
            EXCEPTION WHEN others THEN
                RETURN false;
            END
            $$
            """,
            """
            CREATE TABLE training_runs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                started_at double precision NOT NULL,
                finished_at double precision,
                status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
                train_examples bigint,
                holdout_examples bigint,
                metrics text CHECK (metrics IS NULL OR sift_json_valid(metrics)),
                error text,
                trigger text,
                pid bigint,
                progress text,
                node text,
                heartbeat_at double precision
            )
            """,
            "CREATE INDEX training_runs_running ON training_runs (id) WHERE status = 'running'",
            // `registered` orders models registered at the same instant, as SQLite's rowid does.
            """
            CREATE TABLE models (
                version text PRIMARY KEY,
                path text NOT NULL,
                created_at double precision NOT NULL,
                base_model_sha256 text NOT NULL,
                status text NOT NULL CHECK (status IN ('candidate', 'active', 'rejected', 'retired')),
                metrics text CHECK (metrics IS NULL OR sift_json_valid(metrics)),
                training_run_id bigint REFERENCES training_runs (id) ON DELETE SET NULL,
                pruned_at double precision,
                registered bigint GENERATED ALWAYS AS IDENTITY UNIQUE
            )
            """,
            "CREATE UNIQUE INDEX models_one_active ON models (status) WHERE status = 'active'",
            // Every file directly in a model's directory, so any node can load any version.
            """
            CREATE TABLE model_files (
                version text NOT NULL REFERENCES models (version) ON DELETE CASCADE,
                name text NOT NULL CHECK (length(name) > 0),
                sha256 text NOT NULL CHECK (length(sha256) = 64),
                byte_count bigint NOT NULL CHECK (byte_count = octet_length(contents)),
                contents bytea NOT NULL,
                PRIMARY KEY (version, name)
            )
            """,
            """
            CREATE TABLE nodes (
                name text PRIMARY KEY,
                host text NOT NULL,
                pid bigint NOT NULL,
                serving_version text NOT NULL,
                precision text NOT NULL,
                started_at double precision NOT NULL,
                seen_at double precision NOT NULL
            )
            """,
        ]),
        // A model made active, however (a promotion, a rollback, an UPDATE by hand), tells every
        // node listening (PostgresStore.followRegistryChanges) at commit.
        Migration(version: 3, name: "registry-notify", statements: [
            """
            CREATE FUNCTION sift_notify_model_activated() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('sift_models', NEW.version);
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER models_notify_activated AFTER INSERT OR UPDATE OF status ON models
            FOR EACH ROW WHEN (NEW.status = 'active') EXECUTE FUNCTION sift_notify_model_activated()
            """,
        ]),
    ]

    /// The channel of ``sift_notify_model_activated``'s notifications; the payload is the
    /// version made active.
    static let registryChannel = "sift_models"

    /// Any fixed number: the transaction-level advisory lock that makes two nodes starting at
    /// once migrate one after the other.
    static let migrationLock: Int64 = 0x5_1F7_0001

    /// Applies the migrations this database lacks, in one transaction. Throws
    /// ``StoreError/schemaTooNew(path:unknownMigrations:)`` for a database a newer sift migrated.
    static func migrate(_ connections: PostgresConnections) throws {
        try connections.transaction { connection in
            try connections.run("SELECT pg_advisory_xact_lock(\(migrationLock))", on: connection)
            try connections.run("""
                CREATE TABLE IF NOT EXISTS schema_version (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, on: connection)
            var applied: [Int: String] = [:]
            for row in try connections.run("SELECT version, name FROM schema_version", on: connection) {
                let (version, name) = try row.decode((Int, String).self)
                applied[version] = name
            }
            let known = Set(migrations.map(\.version))
            let unknown = applied.filter { !known.contains($0.key) }.sorted { $0.key < $1.key }
            guard unknown.isEmpty else {
                throw StoreError.schemaTooNew(
                    path: connections.url.description, unknownMigrations: unknown.map { "v\($0.key)-\($0.value)" })
            }
            for migration in migrations where applied[migration.version] == nil {
                for statement in migration.statements {
                    try connections.run(PostgresQuery(unsafeSQL: statement), on: connection)
                }
                try connections.run(
                    "INSERT INTO schema_version (version, name) VALUES (\(migration.version), \(migration.name))", on: connection)
            }
        }
    }
}
