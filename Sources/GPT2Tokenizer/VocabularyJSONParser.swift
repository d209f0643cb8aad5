import Foundation
import SiftJSON

/// Reads `encoder.json` / `vocab.json`: one JSON object from token spelling to id.
///
/// The JSON itself is read by SiftJSON's parser; this reports a cut-off download as truncated
/// (the parser says when the input ran out) rather than as malformed, checks that the object
/// holds non-negative integer ids, and turns each key back into the bytes it spells in GPT-2's
/// byte alphabet. Entries stay in file order, so a token given twice is found and reported.
struct VocabularyJSONParser {
    struct Entry {
        var bytes: [UInt8]
        var id: Int
        /// The token as the file spells it, for messages.
        var spelling: String { ByteUnicodeMap.spelling(of: bytes) }
    }

    private let input: [UInt8]
    private let url: URL

    init(bytes: [UInt8], url: URL) {
        self.input = bytes
        self.url = url
    }

    func parse() throws(TokenizerFileError) -> [Entry] {
        if input.isEmpty { throw .truncated(url, detail: "the file is empty") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(input)
        } catch {
            if error.inputEnded { throw .truncated(url, detail: "the file ends at byte \(input.count): \(error.reason)") }
            throw .malformed(url, line: lineNumber(of: error.offset), detail: "\(error.reason) (byte \(error.offset))")
        }
        guard case let .object(members) = value else {
            throw .malformed(url, line: nil, detail: "expected a JSON object from tokens to ids, found \(value.typeName)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(members.count)
        for member in members {
            let bytes = try tokenBytes(member.key)
            guard case let .int(id) = member.value, id >= 0 else {
                throw .malformed(url, line: nil, detail: "the id of token \(Self.quoted(bytes)) is not a non-negative integer")
            }
            entries.append(Entry(bytes: bytes, id: Int(id)))
        }
        return entries
    }

    /// The bytes a key spells: each of its characters stands for one byte. (Invalid UTF-8 has
    /// become U+FFFD by now, which is not in the alphabet either.)
    private func tokenBytes(_ key: String) throws(TokenizerFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.utf8.count)
        for scalar in key.unicodeScalars {
            guard let byte = ByteUnicodeMap.byte(for: scalar.value) else {
                throw .malformed(url, line: nil, detail: "the token \(key.debugDescription) contains U+\(Self.hex(scalar.value)), "
                    + "which is not a character of GPT-2's byte alphabet")
            }
            bytes.append(byte)
        }
        return bytes
    }

    private func lineNumber(of offset: Int) -> Int {
        1 + input[..<min(offset, input.count)].lazy.filter { $0 == UInt8(ascii: "\n") }.count
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func quoted(_ token: [UInt8]) -> String { "\"\(ByteUnicodeMap.spelling(of: token))\"" }
}
