/// One message read from a mailbox: its raw bytes and where it came from, for reports.
public struct MailboxMessage: Sendable {
    /// The raw RFC 5322 bytes, line ends as stored (an mbox's `From ` line and quoting removed).
    public var bytes: [UInt8]
    /// The file, and for an mbox the message's number in it: `inbox.mbox#3`.
    public var origin: String

    public init(bytes: [UInt8], origin: String) {
        self.bytes = bytes
        self.origin = origin
    }
}

/// Why a mailbox, or one message in it, could not be read.
public enum MailboxError: Error, Equatable, CustomStringConvertible {
    /// The path the user gave does not exist.
    case notFound(path: String)
    /// A file or directory that exists but cannot be read (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// A file found in a folder that does not start like a message (no header field, no mbox
    /// `From ` line): a stray binary or note, skipped rather than read as mail.
    case notMail(path: String)

    public var description: String {
        switch self {
        case let .notFound(path): "\(path): no such file or directory"
        case let .unreadable(path, reason): "\(path): cannot read: \(reason)"
        case let .notMail(path): "\(path): not a mail message (no header lines)"
        }
    }
}
