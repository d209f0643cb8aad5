import Foundation
import SiftDaemon

/// Why `sift` could not connect to siftd, in words an operator can act on: what is wrong with
/// the socket, and what to run next.
enum ConnectHint {
    /// No socket file yet, or a file nobody listens on: what a siftd that is starting looks like,
    /// so --wait-ready keeps trying.
    static func isNotReadyYet(_ code: Int32) -> Bool { code == ENOENT || code == ECONNREFUSED }

    /// `waited`: the --wait-ready seconds that passed first, if any.
    static func message(for failure: any Error, path: String, waited: Double?) -> String {
        guard case let .cannotConnect(_, reason, code)? = failure as? LineClient.Failure else { return "\(failure)" }
        let prefix = isNotReadyYet(code) ? waited.map { "siftd's socket was not ready within \(DaemonSocketOptions.seconds($0)): " } ?? "" : ""
        switch code {
        case ENOENT:
            return prefix + "no siftd socket at \(path) (\(reason)). Is siftd running? (systemctl status siftd.socket; "
                + "or start siftd --socket \(path)). Use --socket or $SIFT_SOCKET for another path"
                + (waited == nil ? ", --wait-ready to wait for it." : ".")
        case ECONNREFUSED:
            return prefix + "nothing listens on \(path) (\(reason)): the socket file is left from a siftd that is not running. "
                + "Start siftd (systemctl start siftd.socket, or siftd --socket \(path))"
                + (waited == nil ? "; --wait-ready waits for it." : ".")
        case EACCES, EPERM:
            return prefix + "not allowed to connect to \(path) (\(reason)). " + whoMayConnect(path)
        default:
            return prefix + "\(failure)"
        }
    }

    /// The socket's owner and group, read from the file when this user may see it.
    private static func whoMayConnect(_ path: String) -> String {
        let join = "(sudo usermod -aG GROUP $USER, then log in again)"
        var status = stat()
        guard stat(path, &status) == 0 else {
            return "A directory on the way is closed to this user; scripts/install gives the socket to the group "
                + "sift-clients, whose members may connect \(join.replacingOccurrences(of: "GROUP", with: "sift-clients"))."
        }
        let group = getgrgid(status.st_gid).map { String(cString: $0.pointee.gr_name) } ?? "\(status.st_gid)"
        let owner = getpwuid(status.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "\(status.st_uid)"
        let mode = String(status.st_mode & 0o777, radix: 8)
        let about = "The socket belongs to \(owner), group \(group), mode \(mode)"
        guard status.st_mode & 0o020 != 0 else {
            return about + ": only \(owner) (and root) may connect; socket.mode and socket.group in siftd.yaml open it to a group."
        }
        return about + ": members of \(group) may connect \(join.replacingOccurrences(of: "GROUP", with: group))."
    }
}
