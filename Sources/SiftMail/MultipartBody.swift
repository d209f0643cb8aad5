/// The body parts of a multipart entity (RFC 2046 §5.1.1), found one at a time, so a caller
/// that has read enough stops before the rest of the message is scanned.
///
/// A delimiter is a line "--boundary", then nothing but white space (or "--" for the close
/// delimiter); a longer boundary that merely starts with this one is not a match. The line
/// end before a delimiter belongs to it. The preamble and epilogue are skipped. Tolerant:
/// without a close delimiter the last part runs to the end of the body.
struct MultipartBody: IteratorProtocol {
    private let body: ArraySlice<UInt8>
    private let delimiter: [UInt8]
    /// Where the current part starts; nil once the close delimiter or the end was reached.
    private var partStart: Int?

    init?(_ body: ArraySlice<UInt8>, boundary: ArraySlice<UInt8>) {
        guard !boundary.isEmpty, boundary.count <= 200 else { return nil }
        self.body = body
        self.delimiter = [45, 45] + boundary
        guard let first = nextDelimiter(from: body.startIndex), !first.isClose else { return nil }
        partStart = first.after
    }

    mutating func next() -> ArraySlice<UInt8>? {
        guard let start = partStart, start < body.endIndex else { return nil }
        guard let delimiter = nextDelimiter(from: start) else {
            partStart = nil
            return body[start...]
        }
        partStart = delimiter.isClose ? nil : delimiter.after
        var end = delimiter.lineStart
        if end > start, body[end - 1] == ASCII.lf { end -= 1 }
        if end > start, body[end - 1] == ASCII.cr { end -= 1 }
        return body[start..<max(start, end)]
    }

    /// The next delimiter line at or after `index` (which is at a line start).
    private func nextDelimiter(from index: Int) -> (lineStart: Int, after: Int, isClose: Bool)? {
        var lineStart = index
        while lineStart < body.endIndex {
            if let match = delimiterLine(at: lineStart) { return match }
            guard let lineFeed = body[lineStart...].firstIndex(of: ASCII.lf) else { return nil }
            lineStart = lineFeed + 1
        }
        return nil
    }

    private func delimiterLine(at lineStart: Int) -> (lineStart: Int, after: Int, isClose: Bool)? {
        guard body.endIndex - lineStart >= delimiter.count, body[lineStart] == 45 else { return nil }
        var index = lineStart
        for byte in delimiter {
            if body[index] != byte { return nil }
            index += 1
        }
        var isClose = false
        if index + 1 < body.endIndex, body[index] == 45, body[index + 1] == 45 {
            isClose = true
            index += 2
        }
        let lineEnd = ASCII.endOfLine(body, from: index)
        guard isClose || ASCII.trimmed(body[index..<lineEnd]).isEmpty else { return nil }
        return (lineStart, lineEnd, isClose)
    }
}
