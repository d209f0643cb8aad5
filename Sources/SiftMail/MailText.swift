/// From a raw email to the text the model reads, for serving and training alike.
///
/// The model text has a fixed layout, always these three lines and then the body:
///
///     Subject: <subject>
///     From: <display name> <domain>
///
///     <body text>
///
/// - `<subject>`: the Subject header, unfolded, RFC 2047 encoded words decoded, white space
///   collapsed to single spaces; empty when there is none.
/// - `From:` the From header's display name (encoded words decoded, quotes removed) and the
///   lower-cased domain of its address in angle brackets: `From: Jane Doe <example.com>`.
///   Either may be missing: `From: <example.com>`, `From: Jane Doe`, or `From: ` alone.
///   The local part of the address is left out (it is mostly noise: ids, obfuscation).
/// - `<body text>`: the readable text of the message in MIME order (see ``MIMEWalker``):
///   transfer encodings and charsets decoded, HTML turned into text with each link's host
///   after its text (`click here [evil.example]`), one line `[attachment: <name> <type>]`
///   per attachment (never its content). White space is collapsed: a run holding a line end
///   becomes one line end, any other run one space.
///
/// The whole text, labels included, is cut at `budget` Unicode scalars. Reading stops once
/// the budget is filled, only a budget-sized prefix of each text part is decoded, and only
/// the first `scanLimit` bytes of a message are looked at, so a 10 MiB message costs about
/// what its first few KB cost. Nesting deeper than `maxDepth` is skipped.
///
/// Malformed mail gives text, never a crash: missing headers, broken boundaries, bad base64,
/// unknown charsets, binary junk and any mix of CRLF and LF line ends are all read as well
/// as they can be. The only errors are for input with nothing to read (``MailTextError``).
public enum MailText {
    /// Unicode scalars of model text by default: a few thousand, far more than the model's
    /// context holds, so what is cut off is never read anyway.
    public static let defaultBudget = 4000
    /// Bytes of a message looked at: attachments beyond this are not listed.
    public static let scanLimit = 1 << 20
    /// Levels of multipart/message nesting read; deeper parts are skipped.
    public static let maxDepth = 32

    /// The model text of `message` (raw RFC 5322 bytes, any line ends).
    public static func modelText(of message: [UInt8], budget: Int = defaultBudget) throws(MailTextError) -> String {
        let input = message.prefix(scanLimit)
        guard input.contains(where: { !ASCII.isSpace($0) }) else { throw .empty }
        let (headers, body) = Headers.parse(input)
        var builder = TextBuilder(budget: budget)

        builder.literal("Subject: ")
        builder.singleLine = true
        let subject = headers["subject"].map(EncodedWords.decode) ?? []
        builder.append(subject)
        builder.literal("\nFrom: ")
        let sender = headers["from"].map(Sender.init) ?? Sender()
        builder.append(sender.displayName)
        if !sender.domain.isEmpty {
            if !sender.displayName.isEmpty { builder.literal(" ") }
            builder.literal("<")
            builder.append(sender.domain)
            builder.literal(">")
        }
        builder.singleLine = false
        builder.literal("\n\n")
        let headerCount = builder.count

        var walker = MIMEWalker(builder: builder, maxDepth: maxDepth)
        walker.walk(headers, body, depth: 0)
        let hasText = walker.builder.count > headerCount || subject.contains { !$0.properties.isWhitespace }
            || !sender.displayName.isEmpty || !sender.domain.isEmpty
        guard hasText else { throw .noText }
        return walker.builder.text
    }
}

/// Why a message gave no model text.
public enum MailTextError: Error, Equatable, CustomStringConvertible {
    /// The input is empty or only white space.
    case empty
    /// No subject, no sender and no readable body: nothing for the model to read.
    case noText

    public var description: String {
        switch self {
        case .empty: "the message is empty"
        case .noText: "the message has no subject, no sender and no readable body"
        }
    }
}
