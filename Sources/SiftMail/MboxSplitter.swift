/// Splits an mbox into its messages, one at a time.
///
/// A message starts at a line beginning with `From ` that is the first line of the file or
/// follows a blank line; that `From ` line (the envelope) is not part of the message, and
/// neither is the blank line before the next one. Quoting is undone the mboxrd way: a line of
/// one or more `>` followed by `From ` loses one `>` (for mboxo, which quoted only `From `,
/// this is right except for a body line that really began with `>From `, which is rare).
/// Lines end as stored (LF or CRLF); a last line without a line end is kept as it is.
struct MboxSplitter {
    private let lines: FileLines
    private var current: [UInt8] = []
    private var inMessage = false
    private var previousBlank = true
    private var number = 0

    init(lines: FileLines) {
        self.lines = lines
    }

    /// The next message, or nil at the end of the file.
    mutating func next() throws(MailboxError) -> MailboxMessage? {
        while let line = try lines.nextLine() {
            let content = ASCII.content(ofLine: line)
            if previousBlank, Self.isEnvelope(content) {
                previousBlank = false
                let finished = inMessage ? finish() : nil
                inMessage = true
                number += 1
                if let finished { return finished }
                continue
            }
            if !inMessage {
                inMessage = true
                number += 1
            }
            if Self.isQuotedEnvelope(content) {
                current.append(contentsOf: line.dropFirst())
            } else {
                current.append(contentsOf: line)
            }
            previousBlank = content.isEmpty
        }
        guard inMessage else { return nil }
        inMessage = false
        return finish()
    }

    /// The message read so far, without the blank line that separates it from the next.
    private mutating func finish() -> MailboxMessage {
        var bytes = current
        current = []
        if bytes.count >= 4, Array(bytes.suffix(4)) == [ASCII.cr, ASCII.lf, ASCII.cr, ASCII.lf] {
            bytes.removeLast(2)
        } else if bytes.count >= 2, bytes[bytes.count - 1] == ASCII.lf, bytes[bytes.count - 2] == ASCII.lf {
            bytes.removeLast()
        }
        return MailboxMessage(bytes: bytes, origin: "\(lines.path)#\(number)")
    }

    static let envelopePrefix = Array("From ".utf8)

    static func isEnvelope(_ line: ArraySlice<UInt8>) -> Bool {
        line.starts(with: envelopePrefix)
    }

    private static func isQuotedEnvelope(_ line: ArraySlice<UInt8>) -> Bool {
        let unquoted = line.drop { $0 == UInt8(ascii: ">") }
        return unquoted.count < line.count && unquoted.starts(with: envelopePrefix)
    }
}
