import Foundation
import SiftJSON

/// A blocking client for siftd's socket: send lines, read lines. Plain POSIX, so a command
/// or a test can stream without an event loop.
///
/// One thread may send while another reads (what `sift classify` does to stream); two threads
/// must not send, or read, at the same time.
public final class LineClient: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        /// `code` is connect()'s errno (0 when there was no call), for a client to say why: no
        /// socket file, nobody listening, no permission.
        case cannotConnect(path: String, reason: String, code: Int32 = 0)
        case io(String)
        /// Connecting, sending or reading took longer than the timeout (see ``setTimeout(seconds:)``).
        case timedOut(String)

        public var description: String {
            switch self {
            case let .cannotConnect(path, reason, _): "cannot connect to siftd at \(path): \(reason)"
            case let .io(reason): "connection to siftd failed: \(reason)"
            case let .timedOut(what): "siftd did not answer in time (\(what))"
            }
        }
    }

    public let socketPath: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var bufferStart = 0

    /// With `timeout` (seconds), connecting gives up after that long: a daemon whose listen
    /// queue is full blocks connect() otherwise.
    public init(socketPath: String, timeout: Double? = nil) throws {
        self.socketPath = socketPath
        guard socketPath.utf8.count < 108 else {
            throw Failure.cannotConnect(path: socketPath, reason: "a socket path must be shorter than 108 bytes", code: ENAMETOOLONG)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.cannotConnect(path: socketPath, reason: String(cString: strerror(errno)), code: errno) }
        if let timeout { Self.setTimeout(fd, seconds: timeout) }
        let result = SocketFile.withUnixAddress(socketPath) { address, length in connect(fd, address, length) }
        guard result == 0 else {
            let code = errno
            close(fd)
            // A Unix socket's connect() waits for room in the listen queue up to SO_SNDTIMEO.
            if code == EAGAIN || code == EINPROGRESS { throw Failure.timedOut("connecting to \(socketPath)") }
            throw Failure.cannotConnect(path: socketPath, reason: String(cString: strerror(code)), code: code)
        }
        self.fd = fd
    }

    /// Bounds each later send and read (each call to the kernel) to `seconds`; past it they
    /// throw ``Failure/timedOut(_:)``. A caller with an overall deadline sets what is left of it
    /// before each step.
    public func setTimeout(seconds: Double) {
        Self.setTimeout(fd, seconds: seconds)
    }

    private static func setTimeout(_ fd: Int32, seconds: Double) {
        // Zero would mean "no timeout" to the kernel: the smallest wait instead. Capped at a
        // million seconds, so a huge --timeout cannot overflow the conversion.
        let micros = max(1, Int((min(seconds, 1e6) * 1_000_000).rounded(.up)))
        var value = timeval(tv_sec: micros / 1_000_000, tv_usec: Int(micros % 1_000_000))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    deinit { close(fd) }

    public var fileDescriptor: Int32 { fd }

    /// Writes all of `bytes`.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                // MSG_NOSIGNAL: a closed peer is an error here, not a SIGPIPE that kills the process.
                Foundation.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timedOut("sending") }
                throw Failure.io(String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// Sends one request as a JSON line.
    public func send(_ request: JSONValue) throws {
        var line = JSONWriter.bytes(request)
        line.append(UInt8(ascii: "\n"))
        try send(line)
    }

    /// The next line without its LF; nil at end of stream. A last line without LF counts.
    public func readLine() throws -> [UInt8]? {
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[bufferStart..<newline])
                bufferStart = newline + 1
                if bufferStart > 1 << 16 {
                    buffer.removeFirst(bufferStart)
                    bufferStart = 0
                }
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timedOut("waiting for a reply") }
                throw Failure.io(String(cString: strerror(errno)))
            }
            if count == 0 {
                guard bufferStart < buffer.count else { return nil }
                let line = Array(buffer[bufferStart...])
                buffer = []
                bufferStart = 0
                return line
            }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// The next line parsed as JSON; nil at end of stream.
    public func readReply() throws -> JSONValue? {
        guard let line = try readLine() else { return nil }
        do {
            return try JSONParser.parse(line)
        } catch {
            throw Failure.io("unreadable reply: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
    }

    /// Sends one request and reads its reply.
    public func call(_ request: JSONValue) throws -> JSONValue {
        try send(request)
        guard let reply = try readReply() else { throw Failure.io("the daemon closed the connection without replying") }
        return reply
    }

    /// Tells the daemon nothing more will be sent; its replies still arrive.
    public func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }
}
