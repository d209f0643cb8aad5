import ArgumentParser
import Foundation
import SpamStore

/// `sift backup FILE`
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of siftd's store to FILE while siftd keeps running.",
        discussion: """
            The copy is one snapshot of the database (messages, predictions, labels, the model \
            registry and training runs), compacted, written under a temporary name, fsynced and \
            renamed: FILE is either the old file or a complete new one. siftd keeps serving and \
            writing meanwhile. Run as a user who can read the state directory (root or sift). \
            Trained model files live in STATE_DIR/models: copy that directory too. To restore, \
            stop siftd and put the copy in place as STATE_DIR/sift.sqlite.
            """)

    @Option(name: .long, help: "siftd's state directory (state_dir in its config).")
    var stateDir = DaemonStatePath.defaultDirectory

    @Argument(help: "Where to write the copy; an existing file is replaced.")
    var file: String

    func run() throws {
        let path = URL(fileURLWithPath: stateDir).appendingPathComponent("sift.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no store at \(path); pass --state-dir (state_dir in siftd's config)")
        }
        var options = Store.Options()
        options.checkIntegrityAtOpen = false  // the copy is read whole anyway
        let store = try Store(path: path, options: options)
        defer { try? store.close() }
        let started = Date()
        try store.backup(to: URL(fileURLWithPath: file))
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        print("sift: wrote \(file) (\(size >> 10) KiB) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

enum DaemonStatePath {
    static let defaultDirectory = "/var/lib/sift"
}
