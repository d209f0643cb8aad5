import Checksum
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpamStore

/// Where a registered model's files are on this machine. A store that holds model files
/// (PostgreSQL, shared by a fleet) is the source of truth: each node keeps a copy under
/// `models/<version>/`, checked against the stored SHA-256 of every file before it serves and
/// fetched again when missing or different. On a store that does not (SQLite), the files are
/// where the record's path says.
public enum ModelFileCache {
    public static func localPath(of model: ModelRecord, store: any SiftStore, modelsDirectory: String) throws -> String {
        guard store.holdsModelFiles else { return model.path }
        let digests = try store.modelFileDigests(version: model.version)
        guard !digests.isEmpty else {
            throw StoreError.invalidArgument("the store holds no files for model \(model.version); it cannot be loaded on this node")
        }
        let directory = URL(fileURLWithPath: modelsDirectory).appendingPathComponent(model.version)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for digest in digests {
            let file = directory.appendingPathComponent(digest.name)
            if (try? SHA256.hex(contentsOf: file)) == digest.sha256 { continue }
            let contents = try store.modelFileContents(version: model.version, name: digest.name)
            guard SHA256.hex(contents) == digest.sha256 else {
                throw StoreError.databaseError(detail: "model \(model.version) file \(digest.name) does not match its stored SHA-256")
            }
            // Written aside and renamed: a node killed mid-copy never leaves a file that looks whole.
            let partial = directory.appendingPathComponent(".\(digest.name).partial")
            try contents.write(to: partial)
            guard rename(partial.path, file.path) == 0 else {
                throw StoreError.invalidArgument("cannot place \(file.path): \(String(cString: strerror(errno)))")
            }
        }
        return directory.path
    }
}
