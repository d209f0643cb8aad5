import Foundation

/// A fresh directory under /tmp with a short name: Unix socket paths must fit in 108 bytes,
/// and the system temp directory can be long.
final class ShortTemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/sd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}
