import Foundation

/// The socket's place in the file system: replacing a stale socket file, refusing to take over
/// a live one, and setting mode and ownership once bound.
public enum SocketFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Makes `path` free to bind: creates its directory if needed and removes a socket file that
    /// nobody listens on (a daemon that died without cleaning up). Throws if a daemon is listening
    /// there, or if something other than a socket is in the way.
    static func prepare(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw Failure(description: "\(path) exists and is not a socket; remove it or choose another socket.path")
        }
        switch probe(path) {
        case .listening:
            throw Failure(description: "another daemon is listening on \(path); stop it first or choose another socket.path")
        case .stale:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw Failure(description: "cannot remove the stale socket \(path): \(String(cString: strerror(errno)))")
            }
        case let .unknown(error):
            throw Failure(description: "cannot tell whether \(path) is in use: \(String(cString: strerror(error)))")
        }
    }

    enum Probe: Equatable { case listening, stale, unknown(Int32) }

    /// Connects to the socket to see whether anyone answers.
    static func probe(_ path: String) -> Probe {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .unknown(errno) }
        defer { close(fd) }
        let result = withUnixAddress(path) { address, length in connect(fd, address, length) }
        if result == 0 { return .listening }
        switch errno {
        case ECONNREFUSED, ENOENT: return .stale
        default: return .unknown(errno)
        }
    }

    /// Applies `socket.mode`, `socket.owner` and `socket.group` to the bound socket file.
    static func setPermissions(_ path: String, _ config: DaemonConfig.Socket) throws {
        guard chmod(path, mode_t(config.mode)) == 0 else {
            throw Failure(description: "cannot chmod \(path): \(String(cString: strerror(errno)))")
        }
        let uid = config.owner.flatMap(UserDatabase.uid(of:)) ?? UInt32.max  // -1: leave unchanged
        let gid = config.group.flatMap(UserDatabase.gid(of:)) ?? UInt32.max
        if uid != UInt32.max || gid != UInt32.max {
            guard chown(path, uid, gid) == 0 else {
                throw Failure(description: "cannot chown \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Where the socket is bound before it gets its permissions: same directory (a rename
    /// cannot cross file systems), a name no client looks for.
    static func privateName(for path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let name = ".siftd-\(getpid()).sock"
        return directory.isEmpty ? name : directory + "/" + name
    }

    /// Runs `body` with umask 0177, so files it creates are 0600 at most. The umask is
    /// per process; this runs during start-up, before anything else creates files.
    static func withOwnerOnlyUmask<T>(_ body: () async throws -> T) async rethrows -> T {
        let previous = umask(0o177)
        defer { umask(previous) }
        return try await body()
    }

    /// Moves the bound, permissioned socket to its public path in one step.
    static func publish(_ privatePath: String, as path: String) throws {
        guard rename(privatePath, path) == 0 else {
            throw Failure(description: "cannot move the socket to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Calls `body` with `path` as a `sockaddr_un` (for bind or connect).
    public static func withUnixAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
