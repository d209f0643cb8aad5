import Foundation

/// Why the tokenizer's vocabulary or merges file could not be used.
///
/// Every case names the file, so a message printed by `sift` or `siftd` tells the operator
/// which download to repeat.
public enum TokenizerFileError: Error, Equatable, CustomStringConvertible {
    /// A file that was asked for by name does not exist.
    case missingFile(URL)
    /// A directory holds neither `vocab.json`+`merges.txt` nor `encoder.json`+`vocab.bpe`.
    case noTokenizerFiles(directory: URL)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadableFile(URL, reason: String)
    /// The file stops before its content is complete: empty, or cut off mid-way.
    case truncated(URL, detail: String)
    /// The file is complete but not in the expected format.
    case malformed(URL, line: Int?, detail: String)
    /// Each file is well formed on its own, but they do not describe the same vocabulary.
    case inconsistent(vocabulary: URL, merges: URL, detail: String)

    public var description: String {
        switch self {
        case .missingFile(let url):
            return "tokenizer file not found: \(url.path)"
        case .noTokenizerFiles(let directory):
            return "no tokenizer files in \(directory.path): expected vocab.json + merges.txt (Hugging Face) "
                + "or encoder.json + vocab.bpe (OpenAI)"
        case .unreadableFile(let url, let reason):
            return "cannot read tokenizer file \(url.path): \(reason)"
        case .truncated(let url, let detail):
            return "tokenizer file \(url.path) is truncated: \(detail)"
        case .malformed(let url, let line, let detail):
            let place = line.map { "\(url.path):\($0)" } ?? url.path
            return "tokenizer file \(place) is malformed: \(detail)"
        case .inconsistent(let vocabulary, let merges, let detail):
            return "tokenizer files \(vocabulary.path) and \(merges.path) do not match: \(detail)"
        }
    }
}

extension TokenizerFileError: LocalizedError {
    public var errorDescription: String? { description }
}

/// Reads a whole file, turning Foundation's errors into `TokenizerFileError`s that name it.
func readTokenizerFile(_ url: URL) throws(TokenizerFileError) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw .missingFile(url)
    }
    if isDirectory.boolValue { throw .unreadableFile(url, reason: "it is a directory") }
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        throw .unreadableFile(url, reason: error.localizedDescription)
    }
}
