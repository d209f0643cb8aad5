import Foundation

/// A file read line by line in 1 MiB chunks, so an mbox of any size is read in bounded memory
/// (plus the longest line).
final class FileLines {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` already known to hold no LF, so a long line is scanned once.
    private var scanned = 0
    private var atEnd = false

    static let chunkSize = 1 << 20

    init(path: String) throws(MailboxError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    /// The next line with its line end (LF or CRLF; the last line may have none); nil at the end.
    func nextLine() throws(MailboxError) -> ArraySlice<UInt8>? {
        while true {
            if let lf = buffer[(start + scanned)...].firstIndex(of: ASCII.lf) {
                let line = buffer[start...lf]
                start = lf + 1
                scanned = 0
                return line
            }
            scanned = buffer.count - start
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                scanned = 0
                return line
            }
            try fill()
        }
    }

    /// Whether every byte has been returned.
    var isFinished: Bool { atEnd && start == buffer.count }

    /// Everything not yet returned, to the end of the file.
    func rest() throws(MailboxError) -> [UInt8] {
        while !atEnd { try fill() }
        let rest = Array(buffer[start...])
        start = buffer.count
        return rest
    }

    private func fill() throws(MailboxError) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize))
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, Self.chunkSize) }
        } while count < 0 && errno == EINTR
        guard count >= 0 else {
            buffer.removeLast(Self.chunkSize)
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        buffer.removeLast(Self.chunkSize - count)
        if count == 0 { atEnd = true }
    }
}
