import Foundation
import SpamStore

/// A fresh store for one benchmark run, in a directory that must exist and is left as it was:
/// the database files are removed afterwards, whatever happens.
enum ScratchStore {
    static func with<T>(in directory: URL, _ body: (Store) throws -> T) throws -> T {
        let path = directory.appendingPathComponent("bench-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try Store(path: path)
        defer { try? store.close() }
        return try body(store)
    }
}
