import Foundation
import NIOCore
import SpamStore

/// Who is at the other end of a connection: from SO_PEERCRED when it was accepted, plus the
/// supplementary groups of that process (for `authorization.<op>.groups`).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public var supplementaryGroups: [UInt32]

    public init(pid: Int32, uid: UInt32, gid: UInt32, supplementaryGroups: [UInt32] = []) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.supplementaryGroups = supplementaryGroups
    }

    /// As the store records it with each message and label.
    public var storePeer: Peer { Peer(pid: pid, uid: uid, gid: gid) }

    /// `struct ucred` from <sys/socket.h>, which Swift sees only with _GNU_SOURCE; same layout.
    struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    #if os(Linux)
    /// Reads the peer of an accepted Unix-socket channel. Runs on the channel's event loop.
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        let option = NIOBSDSocket.Option(rawValue: SO_PEERCRED)
        return provider.unsafeGetSocketOption(level: .socket, name: option).map { (cred: UCred) in
            PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid, supplementaryGroups: Self.supplementaryGroups(of: cred.pid))
        }
    }
    #endif

    /// The `Groups:` line of /proc/<pid>/status; empty if the process is gone or it is unreadable.
    static func supplementaryGroups(of pid: Int32) -> [UInt32] {
        guard pid > 0, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [] }
        for line in status.split(separator: "\n") where line.hasPrefix("Groups:") {
            return line.dropFirst("Groups:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
        }
        return []
    }
}
