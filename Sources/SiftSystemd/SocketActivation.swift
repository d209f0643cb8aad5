import CSystemd
import Foundation

/// Sockets passed by systemd socket activation (`siftd.socket`), per sd_listen_fds(3).
public enum SocketActivation {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case listenFDs(errno: Int32)
        case notAUnixStreamSocket(fd: Int32)
        case tooMany(count: Int)

        public var description: String {
            switch self {
            case let .listenFDs(e): "sd_listen_fds failed: \(String(cString: strerror(e)))"
            case let .notAUnixStreamSocket(fd): "socket-activation fd \(fd) is not a listening AF_UNIX stream socket"
            case let .tooMany(n): "systemd passed \(n) sockets; siftd listens on exactly one (check ListenStream= in siftd.socket)"
            }
        }
    }

    /// The one listening Unix stream socket systemd passed, or nil when not socket-activated
    /// (the daemon then binds its configured path itself). The LISTEN_* variables are unset so
    /// child processes (the trainer) do not think the socket is theirs.
    public static func listeningSocket() throws -> Int32? {
        let count = sd_listen_fds(1)
        if count < 0 { throw Failure.listenFDs(errno: -count) }
        if count == 0 { return nil }
        if count > 1 { throw Failure.tooMany(count: Int(count)) }
        let fd = SD_LISTEN_FDS_START
        guard sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 else {
            throw Failure.notAUnixStreamSocket(fd: fd)
        }
        return fd
    }
}
