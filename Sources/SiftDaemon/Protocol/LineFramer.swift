import NIOCore

/// Splits a connection's bytes into LF-terminated lines, with a bound on line length.
///
/// It is a plain value, not a channel handler, so that the connection decides *when* to take
/// the next line: while a connection is paused for backpressure its unread lines stay here as
/// bytes (one read's worth at most) instead of turning into requests.
///
/// A line longer than `maximumLineBytes` (LF not counted) yields ``Frame/tooLong`` as soon as
/// the limit is passed; the rest of it, through the next LF, is dropped as it arrives, so a
/// huge line never sits in memory.
public struct LineFramer {
    public enum Frame: Equatable {
        /// A line without its LF (a CR before the LF is still there).
        case line(ByteBuffer)
        case tooLong
    }

    public let maximumLineBytes: Int
    private var buffer = ByteBuffer()
    /// Bytes at the start of `buffer` already searched for LF, so a long line is scanned once.
    private var scanned = 0
    /// Inside a too-long line: drop bytes until the next LF.
    private var discarding = false

    public init(maximumLineBytes: Int) {
        precondition(maximumLineBytes > 0)
        self.maximumLineBytes = maximumLineBytes
    }

    /// Bytes held: the unfinished line and lines not yet taken.
    public var bufferedBytes: Int { buffer.readableBytes }

    public mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = bytes  // the common case: no copy
            return
        }
        if buffer.readerIndex > 0 && buffer.readerIndex >= buffer.capacity / 2 {
            buffer.discardReadBytes()
        }
        var incoming = bytes
        buffer.writeBuffer(&incoming)
    }

    /// The next line, ``Frame/tooLong``, or nil when more bytes are needed.
    public mutating func next() -> Frame? {
        while buffer.readableBytes > 0 {
            let view = buffer.readableBytesView
            if discarding {
                guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                    buffer.moveReaderIndex(forwardBy: view.count)
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: view.distance(from: view.startIndex, to: newline) + 1)
                discarding = false
                continue
            }
            let searchFrom = view.index(view.startIndex, offsetBy: scanned)
            if let newline = view[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                let length = view.distance(from: view.startIndex, to: newline)
                scanned = 0
                if length > maximumLineBytes {
                    buffer.moveReaderIndex(forwardBy: length + 1)
                    return .tooLong
                }
                let line = buffer.readSlice(length: length)!
                buffer.moveReaderIndex(forwardBy: 1)
                return .line(line)
            }
            scanned = view.count
            if view.count > maximumLineBytes {
                buffer.moveReaderIndex(forwardBy: view.count)
                scanned = 0
                discarding = true
                return .tooLong
            }
            return nil
        }
        return nil
    }

    /// At end of input: a last line that had no LF, if any.
    public mutating func finish() -> Frame? {
        defer {
            buffer.clear()
            scanned = 0
        }
        guard !discarding, buffer.readableBytes > 0 else {
            discarding = false
            return nil
        }
        return .line(buffer.readSlice(length: buffer.readableBytes)!)
    }
}
