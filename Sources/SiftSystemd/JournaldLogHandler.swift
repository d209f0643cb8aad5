import CSystemd
import Foundation
import Logging

/// A swift-log handler that writes structured entries to the systemd journal: MESSAGE,
/// PRIORITY (syslog levels), SYSLOG_IDENTIFIER, CODE_FILE/CODE_LINE/CODE_FUNC, and every
/// metadata key as a `SIFT_<KEY>` field (upper-cased, non-alphanumerics as `_`), so
/// `journalctl -u siftd SIFT_LABEL=spam` works.
public struct JournaldLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let identifier: String

    public init(label: String, identifier: String = "siftd") {
        self.label = label
        self.identifier = identifier
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = Self.fields(level: event.level, message: event.message.description, metadata: merged,
                                 identifier: identifier, logger: label, file: event.file, function: event.function, line: event.line)
        Self.send(fields)
    }

    /// The journal fields of one entry, in order. Pure, so it is testable without a journal.
    public static func fields(level: Logger.Level, message: String, metadata: Logger.Metadata, identifier: String, logger: String,
                              file: String, function: String, line: UInt) -> [String] {
        var out = [
            "MESSAGE=\(message)",
            "PRIORITY=\(priority(level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "SIFT_LOGGER=\(logger)",
            "CODE_FILE=\(file)",
            "CODE_LINE=\(line)",
            "CODE_FUNC=\(function)",
        ]
        for key in metadata.keys.sorted() {
            out.append("SIFT_\(fieldName(key))=\(metadata[key]!)")
        }
        return out
    }

    /// syslog(3) priorities, as journald expects in PRIORITY=.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Journal field names are upper-case ASCII letters, digits and underscores.
    public static func fieldName(_ key: String) -> String {
        String(key.uppercased().unicodeScalars.map { s -> Character in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))) ? Character(s) : "_"
        })
    }

    private static func send(_ fields: [String]) {
        // sd_journal_sendv takes iovecs pointing at "FIELD=value" bytes (values may hold newlines).
        let buffers = fields.map { field -> UnsafeMutableRawBufferPointer in
            let bytes = Array(field.utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            buffer.copyBytes(from: bytes)
            return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count])
        }
        defer { for b in buffers { b.deallocate() } }
        let vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        _ = sift_journal_sendv(vectors, Int32(vectors.count))
    }
}

/// Chooses where the daemon logs: the journal when systemd connected stderr to it
/// ($JOURNAL_STREAM set), plain lines on stderr otherwise.
public enum SiftLogging {
    public static var stderrIsJournal: Bool {
        ProcessInfo.processInfo.environment["JOURNAL_STREAM"].map { !$0.isEmpty } ?? false
    }

    /// Call once, before any Logger is made.
    public static func bootstrap(level: Logger.Level = .info, identifier: String = "siftd") {
        let journal = stderrIsJournal
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = journal
                ? JournaldLogHandler(label: label, identifier: identifier)
                : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
