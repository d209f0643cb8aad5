import Foundation
import GRDB

extension Store {
    /// Writes a consistent, compacted copy of the database to `url` while readers and the
    /// writer carry on. The copy is made under a temporary name, fsynced and renamed, so
    /// `url` is either the old file or a complete new one; an existing file is replaced.
    public func backup(to url: URL) throws {
        let destination = url.standardizedFileURL.path
        let partial = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            // VACUUM cannot run inside a transaction; one statement reads one snapshot anyway.
            try pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [partial]) }
            try fsync(path: partial)
            guard rename(partial, destination) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [
                    NSFilePathErrorKey: destination,
                    NSLocalizedDescriptionKey: "rename to \(destination) failed: \(String(cString: strerror(errno)))",
                ])
            }
            try fsync(path: url.deletingLastPathComponent().path)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}

/// fsync a file or directory (a rename is durable only once its directory is synced).
private func fsync(path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
        throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
    }
    defer { close(fd) }
    guard fsync(fd) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
}
