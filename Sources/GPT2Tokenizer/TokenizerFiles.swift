import Foundation

/// Where a model directory keeps its tokenizer: Hugging Face names or OpenAI names, same bytes.
enum TokenizerFiles {
    static let layouts: [(vocabulary: String, merges: String)] = [
        ("vocab.json", "merges.txt"),    // Hugging Face
        ("encoder.json", "vocab.bpe"),   // OpenAI
    ]

    /// The vocabulary and merges files in `directory`, preferring the Hugging Face names.
    /// A layout with only one of its two files is reported as that file missing, which says
    /// more than "no tokenizer files".
    static func locate(in directory: URL) throws(TokenizerFileError) -> (vocabulary: URL, merges: URL) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw .missingFile(directory)
        }
        guard isDirectory.boolValue else {
            throw .unreadableFile(directory, reason: "expected a directory holding the tokenizer files")
        }
        func exists(_ name: String) -> Bool {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path)
        }
        for layout in layouts where exists(layout.vocabulary) && exists(layout.merges) {
            return (directory.appendingPathComponent(layout.vocabulary), directory.appendingPathComponent(layout.merges))
        }
        for layout in layouts where exists(layout.vocabulary) || exists(layout.merges) {
            let missing = exists(layout.vocabulary) ? layout.merges : layout.vocabulary
            throw .missingFile(directory.appendingPathComponent(missing))
        }
        throw .noTokenizerFiles(directory: directory)
    }
}
