import Foundation
import GRDB

/// Sift's SQLite store: messages, predictions, labels, models and training runs.
///
/// One writer and many readers (a WAL-mode `DatabasePool`): reads never wait for the write
/// in progress, and writes queue behind each other. Every method is synchronous, blocking
/// and safe to call from any thread; a write has committed, and reached the disk, when it
/// returns (journal batches excepted: they skip the fsync, see ``recordClassified(_:)``).
/// One synchronous API: async callers (the daemon) run it on threads of their own.
public final class Store: Sendable {
    public struct Options: Sendable {
        /// How long a write waits for another process's write lock before failing.
        public var busyTimeout: TimeInterval = 5
        /// Run `PRAGMA quick_check` when opening. It reads the whole file, which is what
        /// finds damage early; turn it off only for short-lived tools on a big store.
        public var checkIntegrityAtOpen = true
        /// Readers the pool may open at once.
        public var maximumReaderCount = 4

        public init() {}
    }

    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path`, checks it, and migrates it to
    /// the current schema. The parent directory must exist.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        var configuration = Configuration()
        configuration.label = "sift.store"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.maximumReaderCount = options.maximumReaderCount

        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // An acknowledged label must survive power loss, not just a crash: fsync the WAL
            // at every commit. Label and registry writes are few; the one frequent write,
            // the prediction journal, opts out per transaction. (Set after opening because
            // GRDB sets NORMAL when it enables WAL; readers never commit, so only the writer.)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            if options.checkIntegrityAtOpen {
                try Self.checkIntegrity(pool, path: path)
            }
            let migrator = StoreSchema.migrator
            let unknown = try pool.read { db in
                try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
            }
            guard unknown.isEmpty else {
                throw StoreError.schemaTooNew(path: path, unknownMigrations: unknown.sorted())
            }
            try migrator.migrate(pool)
        } catch let error as DatabaseError where Self.meansCorruption(error) {
            throw StoreError.corrupt(path: path, detail: error.message ?? "\(error.resultCode)")
        }
    }

    /// Folds the WAL into the database file and closes every connection. Any later call
    /// throws. After a clean close the `.sqlite` file alone holds everything.
    public func close() throws {
        // A checkpoint blocked by another process's reader is harmless: the WAL stays and
        // the next open reads it, so its failure is not worth failing the close for.
        _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
    }

    /// Folds the WAL into the database file and truncates it, while the store stays open
    /// (writers wait for it; readers do not). For measuring the store at rest, and before a
    /// file-level copy.
    public func checkpoint() throws {
        _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    private static func checkIntegrity(_ pool: DatabasePool, path: String) throws {
        let problems = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        guard problems == ["ok"] else {
            throw StoreError.corrupt(path: path, detail: problems.prefix(5).joined(separator: "; "))
        }
    }

    private static func meansCorruption(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }
}
