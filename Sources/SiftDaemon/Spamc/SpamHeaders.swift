import SiftMail

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
            ("X-Spam-Level", String(repeating: "*", count: max(0, min(10, Int(verdict.shownScore))))),
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
        AddedHeaders.inserting(fields, into: message)
    }

    /// The header block alone, with the fields, through the blank line that ends it (HEADERS).
    func headerBlock(of message: [UInt8]) -> [UInt8] {
        AddedHeaders.headerSection(with: fields, of: message)
    }
}
