import Foundation

/// A file that holds mail, as found by ``Mailbox/files(at:)``.
public struct MailboxFile: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A Maildir entry: exactly one message, never split.
        case maildirEntry
        /// A file given by path: an mbox when it starts with a `From ` line, else one message.
        case given
        /// A file found while walking a folder: like `given`, but one that does not start like
        /// mail is reported as ``MailboxError/notMail(path:)`` instead of read.
        case inFolder
    }

    public var path: String
    public var kind: Kind
    /// Bytes on disk, for progress.
    public var size: Int

    public init(path: String, kind: Kind, size: Int) {
        self.path = path
        self.kind = kind
        self.size = size
    }

    /// The messages in this file, read as they are needed: an mbox is never in memory whole,
    /// only the message being read.
    public func messages() -> MailboxFileMessages {
        MailboxFileMessages(file: self)
    }
}
