/// The header fields Sift adds to a message it checked (PROCESS, HEADERS), and the message with
/// them: inserted at the top of the header block, in the message's own line ending, every
/// other byte as it came.
///
/// Fields already in the message, even `X-Spam-*` ones, are left alone: ours come first, so
/// a filter that looks at the first `X-Spam-Status` sees Sift's.
struct SpamHeaders {
    var fields: [(name: String, value: String)]

    init(_ verdict: SpamcVerdict, host: String) {
        var fields: [(name: String, value: String)] = [
            ("X-Spam-Checker-Version", "Sift \(SiftVersion.string) on \(host)"),
        ]
        if verdict.isSpam { fields.append(("X-Spam-Flag", "YES")) }
        fields += [
            // procmail recipes match a run of stars: one per whole point of score.
            ("X-Spam-Level", String(repeating: "*", count: max(0, min(10, Int(verdict.score))))),
            ("X-Spam-Status", "\(verdict.isSpam ? "Yes" : "No"), score=\(verdict.scoreText) required=\(verdict.requiredText) "
                + "tests=\(verdict.rule) autolearn=no version=Sift \(SiftVersion.string)"),
            // What `sift correct` needs to fix a wrong verdict.
            ("X-Sift-Message-Id", "\(verdict.messageID)"),
            ("X-Sift-Model", verdict.modelVersion),
        ]
        self.fields = fields
    }

    /// `message` with the fields inserted at the top of its headers. An mbox `From ` line
    /// stays first; a message with no header block gets one, ended by a blank line.
    func inserted(into message: [UInt8]) -> [UInt8] {
        let layout = MessageLayout(message)
        var out: [UInt8] = []
        out.reserveCapacity(message.count + 512)
        out += message[..<layout.headerStart]
        out += rendered(lineEnd: layout.lineEnd)
        if !layout.hasHeaders { out += layout.lineEnd }
        out += message[layout.headerStart...]
        return out
    }

    /// The header block alone, with the fields, through the blank line that ends it (HEADERS).
    func headerBlock(of message: [UInt8]) -> [UInt8] {
        let layout = MessageLayout(message)
        var out = Array(message[..<layout.headerStart]) + rendered(lineEnd: layout.lineEnd)
        if layout.hasHeaders {
            out += message[layout.headerStart..<layout.bodyStart]
        } else {
            out += layout.lineEnd
        }
        return out
    }

    private func rendered(lineEnd: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for field in fields {
            out += Array("\(field.name): \(field.value)".utf8) + lineEnd
        }
        return out
    }
}

/// Where a raw message's parts are: after an mbox `From ` line, the header block up to and
/// including the blank line, then the body. Found by looking at bytes only.
struct MessageLayout {
    /// Where the header fields start (after an mbox `From ` line, if any).
    var headerStart: Int
    /// Where the body starts: after the blank line, or the end when there is none.
    var bodyStart: Int
    /// Whether the message starts with header fields (its first line is `Name: value`, or blank).
    var hasHeaders: Bool
    /// CRLF if the message's first line ends so, else LF.
    var lineEnd: [UInt8]

    init(_ message: [UInt8]) {
        let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        func endOfLine(from start: Int) -> Int {
            var index = start
            while index < message.count, message[index] != newline { index += 1 }
            return min(index + 1, message.count)
        }
        let firstEnd = endOfLine(from: 0)
        lineEnd = firstEnd >= 2 && message[firstEnd - 1] == newline && message[firstEnd - 2] == cr ? [cr, newline] : [newline]
        headerStart = message.starts(with: Array("From ".utf8)) ? firstEnd : 0
        let firstField = message[headerStart..<endOfLine(from: headerStart)]
        hasHeaders = MessageLayout.isFieldOrBlank(firstField)
        guard hasHeaders else {
            bodyStart = headerStart
            return
        }
        var cursor = headerStart
        while cursor < message.count {
            let next = endOfLine(from: cursor)
            let line = message[cursor..<next]
            cursor = next
            if line.allSatisfy({ $0 == cr || $0 == newline }) { break }
        }
        bodyStart = cursor
    }

    /// `Name: …` (a name of visible ASCII before a colon) or a blank line.
    private static func isFieldOrBlank(_ line: ArraySlice<UInt8>) -> Bool {
        let content = line.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else { return content.isEmpty }
        return colon > content.startIndex && content[..<colon].allSatisfy { $0 > 32 && $0 < 127 }
    }
}
