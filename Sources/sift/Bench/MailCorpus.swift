import Foundation

/// The raw messages of a mail corpus directory (the shared SpamAssassin corpus by default): its
/// `spam/` and ham folders, every file whose name starts with a digit (upstream's message names;
/// PROVENANCE.md and MANIFEST.tsv are not mail), each folder sorted by name.
struct MailCorpus {
    struct Message {
        var name: String
        var isSpam: Bool
        var bytes: [UInt8]
    }

    var directory: URL
    var messages: [Message]

    static func defaultDirectory() throws -> URL { try CLI.sharedDefault("data/spamassassin-public-corpus", option: "--corpus DIR") }

    /// Folders named `spam` hold spam; every other folder (`easy_ham`, `ham`, …) ham.
    init(directory: URL) throws {
        self.directory = directory
        let folders = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var messages: [Message] = []
        for folder in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.first?.isNumber == true }.sorted()
            for name in names {
                let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
                messages.append(Message(name: folder.lastPathComponent + "/" + name, isSpam: folder.lastPathComponent == "spam", bytes: bytes))
            }
        }
        guard !messages.isEmpty else {
            throw CLIError("no messages under \(directory.path) (expected folders such as spam/ and easy_ham/ of raw messages)")
        }
        self.messages = messages
    }

    var byteCount: Int { messages.reduce(0) { $0 + $1.bytes.count } }

    /// Later messages held out: the last `percent` of each label by file name (upstream's numbers
    /// follow arrival), the rest for training. A test on later mail, as a filter meets it.
    func chronologicalSplit(testPercent percent: Int) -> (train: [Message], test: [Message]) {
        var train: [Message] = [], test: [Message] = []
        for isSpam in [true, false] {
            let group = messages.filter { $0.isSpam == isSpam }
            let cut = group.count - group.count * percent / 100
            train += group[..<cut]
            test += group[cut...]
        }
        return (train, test)
    }
}
