import Foundation

extension SHA256 {
    /// The digest of a file's contents, read in 4 MiB chunks so a 500 MB model never sits
    /// in memory whole.
    public static func hash(contentsOf url: URL) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update(bytes: $0) }
        }
        return hasher.finalize()
    }

    /// ``hash(contentsOf:)`` as lowercase hex.
    public static func hex(contentsOf url: URL) throws -> String {
        hexEncoded(try hash(contentsOf: url))
    }
}
