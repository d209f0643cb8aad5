import Foundation

/// Finds the mail under a path: a message file, an mbox, a Maildir, or a folder of any of these.
///
/// - A file is an mbox when its first line starts with `From ` (see ``MboxSplitter``), otherwise
///   one message. The SpamAssassin corpus files start with a `From ` line and hold one message
///   each, which reads the same either way.
/// - A Maildir (a directory with `cur/` or `new/`) gives the files of `cur/` then `new/`, each one
///   message; `tmp/` (deliveries in progress) and names starting with `.` are skipped.
/// - Any other directory is walked recursively, names starting with `.` skipped, symbolic links
///   to directories not followed (no loops); a sub-directory that is a Maildir is read as one.
///   Files found this way must start like mail (a header field or a `From ` line).
///
/// Entries are sorted by name at every level, so the order is the same on every run.
public enum Mailbox {
    /// The files holding mail under `path`, in reading order.
    public static func files(at path: String) throws(MailboxError) -> [MailboxFile] {
        guard let status = Self.status(path, followLinks: true) else { throw .notFound(path: path) }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return [MailboxFile(path: path, kind: .given, size: Int(status.st_size))]
        case S_IFDIR:
            var files: [MailboxFile] = []
            try walk(path, into: &files)
            return files
        default: throw .unreadable(path: path, reason: "not a file or directory")
        }
    }

    /// Whether `path` is a Maildir: a directory with a `cur` or `new` sub-directory.
    public static func isMaildir(_ path: String) -> Bool {
        ["cur", "new"].contains { isDirectory(path + "/" + $0) }
    }

    private static func walk(_ directory: String, into files: inout [MailboxFile]) throws(MailboxError) {
        if isMaildir(directory) {
            for folder in ["cur", "new"] where isDirectory(directory + "/" + folder) {
                for name in try entries(directory + "/" + folder) {
                    let path = directory + "/" + folder + "/" + name
                    if let status = status(path, followLinks: true), status.st_mode & S_IFMT == S_IFREG {
                        files.append(MailboxFile(path: path, kind: .maildirEntry, size: Int(status.st_size)))
                    }
                }
            }
            return
        }
        for name in try entries(directory) {
            let path = directory + "/" + name
            guard let link = status(path, followLinks: false) else { continue }
            if link.st_mode & S_IFMT == S_IFDIR {
                try walk(path, into: &files)
            } else if let status = status(path, followLinks: true), status.st_mode & S_IFMT == S_IFREG {
                files.append(MailboxFile(path: path, kind: .inFolder, size: Int(status.st_size)))
            }
        }
    }

    /// The names in `directory` not starting with `.`, sorted by their bytes.
    private static func entries(_ directory: String) throws(MailboxError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw .unreadable(path: directory, reason: (error as NSError).localizedDescription)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        status(path, followLinks: true).map { $0.st_mode & S_IFMT == S_IFDIR } ?? false
    }

    private static func status(_ path: String, followLinks: Bool) -> stat? {
        var result = stat()
        let code = followLinks ? stat(path, &result) : lstat(path, &result)
        return code == 0 ? result : nil
    }
}
