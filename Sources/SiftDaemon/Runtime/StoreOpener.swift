import Foundation
import SpamStore
import SpamStorePostgres

/// Opens the store `store.url` names: SQLite (the default, `sift.sqlite` in the state
/// directory) or PostgreSQL, shared by several nodes.
public enum StoreOpener {
    public static func open(_ config: DaemonConfig) throws -> any SiftStore {
        if let path = config.sqliteStorePath {
            return try Store(path: path)
        }
        return try PostgresStore(url: config.store.url ?? "")
    }
}
