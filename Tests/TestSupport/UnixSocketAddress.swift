import Foundation

/// A Unix socket's path as the `sockaddr` that `bind` and `connect` take.
public enum UnixSocketAddress {
    public struct PathTooLong: Error, CustomStringConvertible {
        public var description: String
    }

    /// Calls `body` (a `bind` or `connect`) with `path` as a `sockaddr_un` and returns what it
    /// returns. Throws for a path that does not fit one (108 bytes with its NUL).
    public static func with(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw PathTooLong(description: "socket path too long: \(path)")
        }
        // The rest of sun_path stays zero: the path's terminating NUL.
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
