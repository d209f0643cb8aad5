import Foundation
import NIOCore
import SpamStore

/// Who is at the other end of a connection, as the kernel recorded it when the client called
/// connect(): SO_PEERCRED (pid, uid, gid) and SO_PEERGROUPS (supplementary groups, for
/// `authorization.<op>.groups`). Nothing is read from /proc: the shipped unit hides it
/// (ProtectProc=invisible), and a pid can be reused by another process meanwhile.
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
        let credentials = NIOBSDSocket.Option(rawValue: SO_PEERCRED)
        let groups = NIOBSDSocket.Option(rawValue: peerGroupsOption)
        return provider.unsafeGetSocketOption(level: .socket, name: credentials).flatMap { (cred: UCred) in
            provider.unsafeGetSocketOption(level: .socket, name: groups).map { (buffer: GroupBuffer) in
                PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid, supplementaryGroups: buffer.groups)
            }.recover { _ in
                // More groups than the buffer holds (ERANGE), or a kernel before 4.13: no
                // supplementary groups, so a group rule does not match (never the other way).
                PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid)
            }
        }
    }
    #endif

    /// SO_PEERGROUPS from <asm-generic/socket.h> (Linux 4.13).
    static let peerGroupsOption: Int32 = 59

    /// Room for 128 supplementary groups, as SO_PEERGROUPS writes them: gid_t values in
    /// ascending order. NIO zero-fills the buffer and does not report the length written, so
    /// the list ends where the values stop ascending (only the first can be gid 0).
    struct GroupBuffer: Sendable {
        var low = SIMD64<UInt32>()
        var high = SIMD64<UInt32>()

        var groups: [UInt32] {
            var all: [UInt32] = []
            for index in 0..<64 { all.append(low[index]) }
            for index in 0..<64 { all.append(high[index]) }
            return Self.groups(fromZeroPadded: all)
        }

        static func groups(fromZeroPadded values: [UInt32]) -> [UInt32] {
            var groups: [UInt32] = []
            for value in values {
                if let last = groups.last, value <= last { break }
                if groups.isEmpty && value == 0 && values.dropFirst().first.map({ $0 == 0 }) ?? true { break }
                groups.append(value)
            }
            return groups
        }
    }
}
