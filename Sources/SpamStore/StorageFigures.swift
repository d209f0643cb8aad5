import Foundation
import GRDB

/// What the store keeps on disk, cheap enough to export as metrics on every scrape.
public struct StorageFigures: Sendable, Equatable {
    /// Texts stored: one per distinct text, plus each copy a message still carries from
    /// before schema v4 (those were stored per message).
    public var storedTexts: Int
    /// Their total size in UTF-8 bytes (SQLite's own overhead not included).
    public var storedTextBytes: Int64
    /// Size of the database file.
    public var databaseFileBytes: Int64
    /// Size of the write-ahead log (0 when there is none); a checkpoint folds it back into
    /// the database file, and a truncating one (``Store/close()``) empties it.
    public var walFileBytes: Int64

    /// The store's footprint on disk: database file and WAL.
    public var fileBytes: Int64 { databaseFileBytes + walFileBytes }

    public init(storedTexts: Int, storedTextBytes: Int64, databaseFileBytes: Int64, walFileBytes: Int64) {
        self.storedTexts = storedTexts
        self.storedTextBytes = storedTextBytes
        self.databaseFileBytes = databaseFileBytes
        self.walFileBytes = walFileBytes
    }
}

extension Store {
    /// Stored texts and file sizes: one row read (counters kept by every write that stores or
    /// drops a text) and two `stat` calls, whatever the size of the store.
    public func storageFigures() throws -> StorageFigures {
        let totals = try pool.read { db in try Row.fetchOne(db, sql: "SELECT texts, bytes FROM stored_text_totals WHERE id = 1") }
        return StorageFigures(
            storedTexts: totals?["texts"] ?? 0, storedTextBytes: totals?["bytes"] ?? 0,
            databaseFileBytes: Self.fileSize(path), walFileBytes: Self.fileSize(path + "-wal"))
    }

    /// 0 for a file that does not exist (the WAL between a truncating checkpoint and the next write).
    private static func fileSize(_ path: String) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
