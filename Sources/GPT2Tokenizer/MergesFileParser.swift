import Foundation

/// Reads `vocab.bpe` / `merges.txt`: an optional `#version` header line, then one merge per
/// line, two symbols separated by one space, in rank order (line 2 is rank 0 when a header is
/// present).
struct MergesFileParser {
    struct Merge {
        var left: [UInt8]
        var right: [UInt8]
        /// 1-based line in the file, for error messages.
        var line: Int
        /// The merge as the file spells it, for messages.
        var spelling: String { "\"\(ByteUnicodeMap.spelling(of: left)) \(ByteUnicodeMap.spelling(of: right))\"" }
    }

    let bytes: [UInt8]
    let url: URL

    func parse() throws(TokenizerFileError) -> [Merge] {
        if bytes.isEmpty { throw .truncated(url, detail: "the file is empty") }
        let endsWithNewline = bytes.last == UInt8(ascii: "\n")
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if endsWithNewline { lines.removeLast() }

        var merges: [Merge] = []
        merges.reserveCapacity(lines.count)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            // Both OpenAI's encoder.py and Hugging Face skip the "#version: 0.2" header.
            if index == 0, line.first == UInt8(ascii: "#") { continue }
            do throws(TokenizerFileError) {
                merges.append(try parseMerge(line, lineNumber: lineNumber))
            } catch {
                let isLastLine = index == lines.count - 1
                if isLastLine && !endsWithNewline {
                    throw .truncated(url, detail: "the last line (\(lineNumber)) is incomplete and has no newline: \(error.detailText)")
                }
                throw error
            }
        }
        if merges.isEmpty { throw .truncated(url, detail: "the file holds no merges") }
        return merges
    }

    private func parseMerge(_ line: ArraySlice<UInt8>, lineNumber: Int) throws(TokenizerFileError) -> Merge {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            let shown = String(decoding: line, as: UTF8.self)
            throw .malformed(url, line: lineNumber,
                             detail: "expected two symbols separated by one space, found \"\(shown)\"")
        }
        return Merge(left: try symbolBytes(parts[0], lineNumber: lineNumber),
                     right: try symbolBytes(parts[1], lineNumber: lineNumber),
                     line: lineNumber)
    }

    /// Maps a symbol's characters through GPT-2's byte alphabet.
    private func symbolBytes(_ symbol: ArraySlice<UInt8>, lineNumber: Int) throws(TokenizerFileError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(symbol.count)
        var decoder = UTF8()
        var iterator = symbol.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                guard let byte = ByteUnicodeMap.byte(for: scalar.value) else {
                    throw .malformed(url, line: lineNumber,
                                     detail: "symbol \"\(String(decoding: symbol, as: UTF8.self))\" contains "
                                         + "U+\(String(scalar.value, radix: 16, uppercase: true)), "
                                         + "which is not a character of GPT-2's byte alphabet")
                }
                result.append(byte)
            case .emptyInput:
                return result
            case .error:
                throw .malformed(url, line: lineNumber, detail: "the line is not valid UTF-8")
            }
        }
    }
}

extension TokenizerFileError {
    /// The part of the message after the file name, for wrapping one error inside another.
    var detailText: String {
        switch self {
        case .missingFile, .noTokenizerFiles: return description
        case .unreadableFile(_, let reason): return reason
        case .truncated(_, let detail), .malformed(_, _, let detail), .inconsistent(_, _, let detail): return detail
        }
    }
}
