import ArgumentParser
import Foundation
import GPT2Tokenizer

/// `sift tokenize`: GPT-2 token ids of texts on stdin, one line each way, so the output can be
/// diffed against any other GPT-2 tokenizer (the arrays are formatted like Python's json.dumps).
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the GPT-2 token ids of each line of stdin as a JSON array (or decode with --decode).",
        discussion: """
            Each input line (ended by LF; a CR before it stays part of the text) is one text; \
            its ids are printed as one JSON array, e.g. "Hello world!" gives [15496, 995, 0] and \
            an empty line gives []. "<|endoftext|>" in a text is encoded as ordinary characters, \
            never as the special token.

            With --decode each input line must be a JSON array of token ids; the decoded bytes \
            are printed exactly, followed by LF (a text that itself holds a newline spans \
            several output lines).

            Invalid input stops the command: a line that is not UTF-8 or, with --decode, not a \
            JSON array of token ids in the vocabulary (0..<50257 for GPT-2). The message on stderr names the line; the exit \
            status is 1; lines before it have already been printed.

            The tokenizer is read from --vocab, else from $SIFT_VOCAB: a directory holding \
            vocab.json + merges.txt (Hugging Face) or encoder.json + vocab.bpe (OpenAI).
            """)

    @Option(help: "Directory with the tokenizer files (default: $SIFT_VOCAB).")
    var vocab: String?

    @Flag(help: "Read JSON arrays of token ids and print the texts they decode to.")
    var decode = false

    func run() throws {
        let tokenizer = try BPETokenizer(directory: TokenizerDirectory.resolve(vocab))
        var output = StandardOutputBuffer()
        do {
            try StandardInputLines.forEach { line, number in
                if decode {
                    let ids = try IDArrayLine.parse(line, lineNumber: number, vocabularySize: tokenizer.vocabularySize)
                    output.append(tokenizer.decodeBytes(ids))
                } else {
                    output.append(IDArrayLine.format(tokenizer.encode(try Self.text(of: line, lineNumber: number))))
                }
                output.append(UInt8(ascii: "\n"))
            } afterEachChunk: {
                output.flush()  // so interactive use answers each line as it is typed
            }
        } catch {
            output.flush()
            throw error
        }
        output.flush()
    }

    private static func text(of line: ArraySlice<UInt8>, lineNumber: Int) throws -> String {
        guard let text = String(validating: line, as: UTF8.self) else {
            throw CLIError("line \(lineNumber) is not valid UTF-8")
        }
        return text
    }
}

/// Where `sift` finds the tokenizer when a command is not told: `$SIFT_VOCAB`.
enum TokenizerDirectory {
    static func resolve(_ option: String?, fallback: (() throws -> URL)? = nil) throws -> URL {
        if let option { return URL(fileURLWithPath: option) }
        if let env = ProcessInfo.processInfo.environment["SIFT_VOCAB"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        if let fallback { return try fallback() }
        throw ValidationError(
            "no tokenizer given: pass --vocab DIR (a directory with vocab.json + merges.txt or "
                + "encoder.json + vocab.bpe) or set SIFT_VOCAB")
    }
}

/// One line of `sift tokenize` output: a JSON array of ids, `[15496, 995, 0]`.
enum IDArrayLine {
    static func format(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, id) in ids.enumerated() {
            if index > 0 { bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            bytes.append(contentsOf: String(id).utf8)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// Parses `[id, id, …]` (any JSON whitespace), requiring every id to be in the vocabulary.
    static func parse(_ line: ArraySlice<UInt8>, lineNumber: Int, vocabularySize: Int) throws -> [Int] {
        func invalid(_ detail: String) -> CLIError {
            CLIError("line \(lineNumber): \(detail); expected a JSON array of token ids such as [15496, 995, 0]")
        }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        let trimmed = line.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        guard trimmed.first == UInt8(ascii: "["), trimmed.last == UInt8(ascii: "]"), trimmed.count >= 2 else {
            throw invalid("not a JSON array")
        }
        let body = Array(trimmed.dropFirst().dropLast())
        if body.allSatisfy(isSpace) { return [] }
        var ids: [Int] = []
        for element in body.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let digits = element.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
            let text = String(decoding: digits, as: UTF8.self)
            guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }),
                  let id = Int(text)
            else {
                throw invalid("\"\(text)\" is not an integer")
            }
            guard (0..<vocabularySize).contains(id) else {
                throw CLIError("line \(lineNumber): id \(id) is outside the vocabulary (0..<\(vocabularySize))")
            }
            ids.append(id)
        }
        return ids
    }
}

/// Stdin split at LF, read in chunks as they arrive.
enum StandardInputLines {
    /// Calls `body` with each line (without its LF) and its 1-based number; a last line without
    /// LF counts. `afterEachChunk` runs once the lines of a chunk are done, before the next read blocks.
    static func forEach(_ body: (ArraySlice<UInt8>, Int) throws -> Void, afterEachChunk: () -> Void) throws {
        var pending: [UInt8] = []
        var lineNumber = 0
        while true {
            let chunk = FileHandle.standardInput.availableData
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            for line in pending[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                try body(line, lineNumber)
            }
            pending.removeSubrange(...lastNewline)
            afterEachChunk()
        }
        if !pending.isEmpty {
            try body(pending[...], lineNumber + 1)
        }
    }
}

/// Collects output bytes and writes them in large pieces: one write per line would cost a
/// system call per text.
struct StandardOutputBuffer {
    private var bytes: [UInt8] = []

    mutating func append(_ more: [UInt8]) {
        bytes.append(contentsOf: more)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        FileHandle.standardOutput.write(Data(bytes))
        bytes.removeAll(keepingCapacity: true)
    }
}
