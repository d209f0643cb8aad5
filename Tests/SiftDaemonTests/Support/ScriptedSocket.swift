import Foundation
import SiftDaemon

/// A stand-in for siftd on a Unix socket, for client behaviour a real daemon will not show on
/// demand: with a `reply`, every request line on every connection gets that line back; without,
/// connections are queued by the kernel and never accepted, so a client connects and sends but
/// waits forever for an answer. With `respond`, each request line gets what it returns for that
/// line (it may block, to hold a reply back; each connection has its own thread).
final class ScriptedSocket: @unchecked Sendable {
    let path: String
    private let fd: Int32

    convenience init(path: String, reply: String?) throws {
        let respond: (@Sendable (String) -> String)? = if let reply { { _ in reply } } else { nil }
        try self.init(path: path, respond: respond)
    }

    init(path: String, respond: (@Sendable (String) -> String)?) throws {
        self.path = path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        fd = listener
        let bound = SocketFile.withUnixAddress(path) { address, length in bind(listener, address, length) }
        guard listener >= 0, bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        guard let respond else { return }
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }  // the listener was shut down
                Thread.detachNewThread { Self.answer(connection, with: respond) }
            }
        }
    }

    private static func answer(_ connection: Int32, with respond: @Sendable (String) -> String) {
        defer { close(connection) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            pending.append(contentsOf: chunk[..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let request = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                let reply = Array((respond(request) + "\n").utf8)
                _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))  // wakes the accept loop
        close(fd)
        unlink(path)
    }
}
