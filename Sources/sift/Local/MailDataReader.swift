import FineTune
import Foundation
import SiftMail

/// Labeled examples from mail, for `sift prepare-data`: each message's model text (what siftd
/// reads when it classifies it), each distinct message once.
enum MailDataReader {
    struct Examples {
        var examples: [LabeledExample] = []
        var duplicates = 0
        var unreadable = 0
        /// Files at the top of a label-folder tree, which have no label.
        var skippedFiles: [String] = []
    }

    /// With `label`, every message under `path` (a message file, mbox, Maildir or folder) gets
    /// it. Without, `path` is a folder whose sub-folders are named by label (`spam/`, `ham/`),
    /// each read as a mailbox; `rename` turns a folder name into a label (`easy_ham` → `ham`),
    /// other names are labels as they are. Unreadable messages are reported on stderr and skipped.
    static func read(_ path: String, label: String?, rename: [String: String]) throws -> Examples {
        var result = Examples()
        var seen = Set<String>()
        var sources: [(label: String, files: [MailboxFile])] = []
        if let label {
            sources.append((label, try Mailbox.files(at: path)))
        } else {
            guard !Mailbox.isMaildir(path) else {
                throw CLIError("\(path) is a Maildir: give its label with --label (label folders are its parent's sub-folders)")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
            for name in names {
                var isDirectory: ObjCBool = false
                let child = path + "/" + name
                guard FileManager.default.fileExists(atPath: child, isDirectory: &isDirectory), isDirectory.boolValue else {
                    result.skippedFiles.append(child)
                    continue
                }
                sources.append((rename[name] ?? name, try Mailbox.files(at: child)))
            }
        }
        let bar = ProgressBar("reading mail", total: sources.reduce(0) { $0 + $1.files.count }, unit: "files")
        var filesRead = 0
        for (label, files) in sources {
            for file in files {
                defer { filesRead += 1; bar.update(filesRead) }
                for item in file.messages() {
                    switch item {
                    case let .failure(error):
                        result.unreadable += 1
                        CLI.printError("unreadable, skipped: \(error)")
                    case let .success(message):
                        guard seen.insert(DuplicateKey.of(message.bytes)).inserted else {
                            result.duplicates += 1
                            continue
                        }
                        do {
                            result.examples.append(LabeledExample(text: try MailText.modelText(of: message.bytes), label: label))
                        } catch {
                            result.unreadable += 1
                            CLI.printError("unreadable, skipped: \(message.origin): \(error)")
                        }
                    }
                }
            }
        }
        bar.finish()
        guard !result.examples.isEmpty else { throw DatasetError.noExamples(path: path) }
        return result
    }
}
