import Checksum
import Foundation
import PostgresNIO
import SpamStore

/// Each registered model's files, held in `model_files`: the nodes sharing this store share
/// no disk, so a node that did not train a version loads it from here.
extension PostgresStore {
    /// One file of a model directory, read whole (a classifier is tens of MB).
    struct ModelFile {
        var name: String
        var sha256: String
        var contents: Data
    }

    public var holdsModelFiles: Bool { true }

    /// The files held for `version`, by name. Empty for a pruned model (``markPruned(_:at:)``
    /// deletes them); ``StoreError/unknownModel(version:)`` for a version never registered.
    public func modelFileDigests(version: String) throws -> [ModelFileDigest] {
        try connections.withConnection { connection in
            guard try modelExists(version, connection) else { throw StoreError.unknownModel(version: version) }
            return try connections.run("""
                SELECT name, sha256, byte_count FROM model_files WHERE version = \(version) ORDER BY name COLLATE "C"
                """, on: connection).map { row in
                let (name, sha256, byteCount) = try row.decode((String, String, Int64).self)
                return ModelFileDigest(name: name, sha256: sha256, byteCount: byteCount)
            }
        }
    }

    /// One file's bytes, as registered. Throws ``StoreError/unknownModel(version:)`` for a
    /// version never registered, ``StoreError/modelPruned(version:)`` for one whose files were
    /// deleted, and ``StoreError/invalidArgument(_:)`` for a name the model has no file by.
    public func modelFileContents(version: String, name: String) throws -> Data {
        try connections.withConnection { connection in
            let rows = try connections.run("""
                SELECT m.pruned_at IS NOT NULL, f.contents
                FROM models m LEFT JOIN model_files f ON f.version = m.version AND f.name = \(name)
                WHERE m.version = \(version)
                """, on: connection)
            guard let row = rows.first else { throw StoreError.unknownModel(version: version) }
            let (pruned, contents) = try row.decode((Bool, Data?).self)
            if pruned { throw StoreError.modelPruned(version: version) }
            guard let contents else {
                throw StoreError.invalidArgument("model \(version) has no file \(name.debugDescription)")
            }
            return contents
        }
    }

    // MARK: - Registering

    /// Every regular file directly in `path` (not in subdirectories; a symbolic link counts as
    /// what it points to), sorted by name. A model needs at least one: a missing or empty
    /// directory is an error, not a model no node could load.
    static func readModelFiles(in path: String) throws -> [ModelFile] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.invalidArgument(
                "model directory \(path) does not exist; the PostgreSQL store keeps a model's files and reads them from there")
        }
        let directory = URL(fileURLWithPath: path, isDirectory: true)
        var files: [ModelFile] = []
        do {
            for name in try manager.contentsOfDirectory(atPath: path).sorted() {
                let url = directory.appendingPathComponent(name)
                let attributes = try manager.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
                guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                let contents = try Data(contentsOf: url)
                var hasher = SHA256Hasher()
                contents.withUnsafeBytes { hasher.update(bytes: $0) }
                files.append(ModelFile(name: name, sha256: hasher.finalizeHex(), contents: contents))
            }
        } catch {
            throw StoreError.invalidArgument("cannot read the model files in \(path): \(error)")
        }
        guard !files.isEmpty else {
            throw StoreError.invalidArgument("model directory \(path) holds no files; a model needs its files to be registered")
        }
        return files
    }

    /// Inserts the files, one row (and one bind of the whole file) at a time.
    func insert(_ files: [ModelFile], version: String, _ connection: PostgresConnection) throws {
        for file in files {
            try connections.run("""
                INSERT INTO model_files (version, name, sha256, byte_count, contents)
                VALUES (\(version), \(file.name), \(file.sha256), \(Int64(file.contents.count)), \(file.contents))
                """, on: connection)
        }
    }
}
