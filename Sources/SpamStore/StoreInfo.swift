import GRDB

/// The SQLite library GRDB was linked against; `sift stats` and health reports show it.
public enum StoreInfo {
    public static func sqliteVersion() throws -> String {
        let queue = try DatabaseQueue()
        return try queue.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?" }
    }
}
