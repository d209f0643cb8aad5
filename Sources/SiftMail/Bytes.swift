/// Small byte-level helpers shared by the parsers: mail is parsed as bytes, because Swift
/// `String` operations (grapheme breaking, bridging) cost far more than the parsing itself.
enum ASCII {
    static let tab: UInt8 = 9, lf: UInt8 = 10, cr: UInt8 = 13, space: UInt8 = 32
    static let quote: UInt8 = 34, semicolon: UInt8 = 59, equals: UInt8 = 61, colon: UInt8 = 58

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == lf || byte == cr
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }

    /// `bytes` without leading and trailing white space.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// Lower-cased ASCII text of `bytes` (names, media types, charset labels).
    static func lowercasedString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map(lower), as: UTF8.self)
    }

    /// Whether `bytes` starts with `prefix`, ignoring ASCII case (`prefix` is lower-case).
    static func hasPrefix(_ bytes: ArraySlice<UInt8>, lowercased prefix: [UInt8]) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        var index = bytes.startIndex
        for byte in prefix {
            if lower(bytes[index]) != byte { return false }
            index += 1
        }
        return true
    }

    /// The index just past the end of the line that holds `index` (past its LF), or the end.
    static func endOfLine(_ bytes: ArraySlice<UInt8>, from index: Int) -> Int {
        var cursor = index
        while cursor < bytes.endIndex, bytes[cursor] != lf { cursor += 1 }
        return cursor < bytes.endIndex ? cursor + 1 : cursor
    }

    /// A line without its line end (LF, CRLF or a lone CR before the LF).
    static func content(ofLine bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        if end > bytes.startIndex, bytes[end - 1] == lf { end -= 1 }
        if end > bytes.startIndex, bytes[end - 1] == cr { end -= 1 }
        return bytes[bytes.startIndex..<end]
    }
}
