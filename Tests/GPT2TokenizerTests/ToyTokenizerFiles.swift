import Foundation
import GPT2Tokenizer

/// Writes a small, valid tokenizer to a fresh temporary directory: the 256 byte tokens
/// (id = byte value), one token per merge in rank order, then `<|endoftext|>`.
/// Tests use it to check merge behaviour by hand and to derive broken files from.
struct ToyTokenizerFiles {
    let directory: URL
    let vocabularyJSON: String
    let mergesText: String

    var vocabularyURL: URL { directory.appendingPathComponent("vocab.json") }
    var mergesURL: URL { directory.appendingPathComponent("merges.txt") }

    /// `merges` are given as plain text, e.g. `(" ", "t")`; the files spell them in GPT-2's
    /// byte alphabet ("Ġ t").
    init(merges: [(String, String)]) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gpt2-tokenizer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        var tokens = (0..<256).map { ByteUnicodeMap.spelling(of: [UInt8($0)]) }
        var lines = ["#version: 0.2"]
        for (left, right) in merges {
            let leftSpelling = ByteUnicodeMap.spelling(of: left.utf8)
            let rightSpelling = ByteUnicodeMap.spelling(of: right.utf8)
            lines.append("\(leftSpelling) \(rightSpelling)")
            tokens.append(leftSpelling + rightSpelling)
        }
        tokens.append("<|endoftext|>")
        vocabularyJSON = "{" + tokens.enumerated().map { "\(Self.jsonString($1)): \($0)" }.joined(separator: ", ") + "}"
        mergesText = lines.joined(separator: "\n") + "\n"
        try write(vocabulary: vocabularyJSON, merges: mergesText)
    }

    func write(vocabulary: String? = nil, merges: String? = nil) throws {
        if let vocabulary { try Data(vocabulary.utf8).write(to: vocabularyURL) }
        if let merges { try Data(merges.utf8).write(to: mergesURL) }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The id the toy vocabulary gives a byte.
    static func id(_ byte: Character) -> Int { Int(byte.asciiValue!) }

    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
