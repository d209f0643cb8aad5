import Foundation

/// Reads `encoder.json` / `vocab.json`: one JSON object from token spelling to id.
///
/// Hand-written rather than JSONSerialization so that a cut-off download is reported as
/// truncated (with the byte offset) instead of as a generic parse error, and so that keys come
/// out directly as the bytes they spell in GPT-2's byte alphabet.
struct VocabularyJSONParser {
    struct Entry {
        var bytes: [UInt8]
        var id: Int
        /// The token as the file spells it, for messages.
        var spelling: String { ByteUnicodeMap.spelling(of: bytes) }
    }

    private let input: [UInt8]
    private let url: URL
    private var position = 0

    init(bytes: [UInt8], url: URL) {
        self.input = bytes
        self.url = url
    }

    mutating func parse() throws(TokenizerFileError) -> [Entry] {
        if input.isEmpty { throw .truncated(url, detail: "the file is empty") }
        skipWhitespace()
        try expect(UInt8(ascii: "{"), "a JSON object starting with '{'")
        var entries: [Entry] = []
        entries.reserveCapacity(input.count / 20)
        skipWhitespace()
        if try peek("a token or '}'") == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                entries.append(try parseEntry())
                skipWhitespace()
                let separator = try peek("',' or '}' after entry \(entries.count)")
                position += 1
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else {
                    throw malformed("expected ',' or '}' after entry \(entries.count), found \(describe(separator))",
                                    at: position - 1)
                }
                skipWhitespace()
            }
        }
        skipWhitespace()
        if position < input.count {
            throw malformed("unexpected \(describe(input[position])) after the closing '}'", at: position)
        }
        return entries
    }

    private mutating func parseEntry() throws(TokenizerFileError) -> Entry {
        let keyStart = position
        try expect(UInt8(ascii: "\""), "a token in double quotes")
        let bytes = try parseKey(startingAt: keyStart)
        skipWhitespace()
        try expect(UInt8(ascii: ":"), "':' after token \(Self.quoted(bytes))")
        skipWhitespace()
        let id = try parseID(for: bytes)
        return Entry(bytes: bytes, id: id)
    }

    /// Parses the rest of a JSON string (the opening quote is consumed) and maps each
    /// character through the byte alphabet.
    private mutating func parseKey(startingAt start: Int) throws(TokenizerFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            guard position < input.count else {
                throw .truncated(url, detail: "the file ends inside the token that starts at byte \(start)")
            }
            let byte = input[position]
            let scalar: Unicode.Scalar
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return bytes
            case UInt8(ascii: "\\"):
                scalar = try parseEscape(stringStart: start)
            case 0..<0x20:
                throw malformed("control byte \(describe(byte)) inside a token (JSON requires it escaped)", at: position)
            default:
                scalar = try decodeUTF8Scalar()
            }
            guard let mapped = ByteUnicodeMap.byte(for: scalar.value) else {
                throw malformed(
                    "the token starting at byte \(start) contains U+\(hex(scalar.value)), "
                        + "which is not a character of GPT-2's byte alphabet", at: start)
            }
            bytes.append(mapped)
        }
    }

    private mutating func parseEscape(stringStart: Int) throws(TokenizerFileError) -> Unicode.Scalar {
        let escapeStart = position
        position += 1
        guard position < input.count else {
            throw .truncated(url, detail: "the file ends inside the token that starts at byte \(stringStart)")
        }
        let letter = input[position]
        position += 1
        switch letter {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4(stringStart: stringStart)
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard position + 1 < input.count, input[position] == UInt8(ascii: "\\"),
                      input[position + 1] == UInt8(ascii: "u")
                else {
                    if position + 1 >= input.count {
                        throw .truncated(url, detail: "the file ends inside the token that starts at byte \(stringStart)")
                    }
                    throw malformed("unpaired surrogate \\u\(hex(unit)) in a token", at: escapeStart)
                }
                position += 2
                let low = try parseHex4(stringStart: stringStart)
                guard (0xDC00..<0xE000).contains(low) else {
                    throw malformed("unpaired surrogate \\u\(hex(unit)) in a token", at: escapeStart)
                }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(unit) else {
                throw malformed("unpaired surrogate \\u\(hex(unit)) in a token", at: escapeStart)
            }
            return scalar
        default:
            throw malformed("invalid escape '\\\(describe(letter))' in a token", at: escapeStart)
        }
    }

    private mutating func parseHex4(stringStart: Int) throws(TokenizerFileError) -> UInt32 {
        guard position + 4 <= input.count else {
            throw .truncated(url, detail: "the file ends inside the token that starts at byte \(stringStart)")
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("\(describe(byte)) is not a hex digit in a \\u escape", at: position)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func decodeUTF8Scalar() throws(TokenizerFileError) -> Unicode.Scalar {
        let lead = input[position]
        let length: Int
        switch lead {
        case 0..<0x80: length = 1
        case 0xC2..<0xE0: length = 2
        case 0xE0..<0xF0: length = 3
        case 0xF0..<0xF5: length = 4
        default: throw malformed("invalid UTF-8 byte \(describe(lead))", at: position)
        }
        guard position + length <= input.count else {
            throw .truncated(url, detail: "the file ends inside a UTF-8 character at byte \(position)")
        }
        var decoder = UTF8()
        var iterator = input[position..<(position + length)].makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
            throw malformed("invalid UTF-8 sequence", at: position)
        }
        position += length
        return scalar
    }

    private mutating func parseID(for token: [UInt8]) throws(TokenizerFileError) -> Int {
        let start = position
        var value = 0
        while position < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[position]) {
            let (product, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = product.addingReportingOverflow(Int(input[position] - UInt8(ascii: "0")))
            if overflowMultiply || overflowAdd { throw malformed("the id of \(Self.quoted(token)) is too large", at: start) }
            value = sum
            position += 1
        }
        guard position < input.count else {
            throw .truncated(url, detail: "the file ends after the id of token \(Self.quoted(token))")
        }
        let next = input[position]
        if position == start || next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            throw malformed("the id of token \(Self.quoted(token)) is not a non-negative integer", at: start)
        }
        return value
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    // Expectations are autoclosures: building the message for each of 50,000 entries
    // would cost more than parsing them.
    private func peek(_ expectation: @autoclosure () -> String) throws(TokenizerFileError) -> UInt8 {
        guard position < input.count else {
            throw .truncated(url, detail: "the file ends at byte \(input.count) where \(expectation()) was expected")
        }
        return input[position]
    }

    private mutating func expect(_ byte: UInt8, _ expectation: @autoclosure () -> String) throws(TokenizerFileError) {
        let found = try peek(expectation())
        guard found == byte else { throw malformed("expected \(expectation()), found \(describe(found))", at: position) }
        position += 1
    }

    private func malformed(_ detail: String, at offset: Int) -> TokenizerFileError {
        .malformed(url, line: lineNumber(of: offset), detail: "\(detail) (byte \(offset))")
    }

    private func lineNumber(of offset: Int) -> Int {
        1 + input[..<min(offset, input.count)].lazy.filter { $0 == UInt8(ascii: "\n") }.count
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(hex(UInt32(byte), width: 2))"
    }

    private func hex(_ value: UInt32, width: Int = 4) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func quoted(_ token: [UInt8]) -> String { "\"\(ByteUnicodeMap.spelling(of: token))\"" }
}
