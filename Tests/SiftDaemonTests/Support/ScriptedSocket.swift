import Foundation
import SiftDaemon

/// A stand-in for siftd on a Unix socket, for client behaviour a real daemon will not show on
/// demand: with a `reply`, every request line on every connection gets that line back; without,
/// connections are queued by the kernel and never accepted, so a client connects and sends but
/// waits forever for an answer.
final class ScriptedSocket: @unchecked Sendable {
    let path: String
    private let fd: Int32

    init(path: String, reply: String?) throws {
        self.path = path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        fd = listener
        let bound = SocketFile.withUnixAddress(path) { address, length in bind(listener, address, length) }
        guard listener >= 0, bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        guard let reply else { return }
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }  // the listener was shut down
                Thread.detachNewThread { Self.answer(connection, with: Array((reply + "\n").utf8)) }
            }
        }
    }

    private static func answer(_ connection: Int32, with reply: [UInt8]) {
        defer { close(connection) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            for byte in chunk[..<count] where byte == UInt8(ascii: "\n") {
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
