/// RFC 2047 encoded words in header text: `=?charset?B?base64?=` and `=?charset?Q?text?=`.
///
/// Accepted anywhere in a value (senders put them inside quoted strings and next to other
/// text, against the RFC). White space between two encoded words is dropped, and the bytes
/// of adjacent words in the same charset are joined before decoding, since senders split
/// multi-byte characters across words. Text outside words is UTF-8, else Windows-1252.
enum EncodedWords {
    static func decode(_ value: ArraySlice<UInt8>) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(value.count)
        var pending: (charset: Charset, bytes: [UInt8])?  // decoded bytes of the words just read
        var plainStart = value.startIndex  // start of text not yet copied
        var index = value.startIndex
        func flushPending() {
            if let words = pending { words.charset.decode(words.bytes[...], into: &scalars) }
            pending = nil
        }
        while index + 1 < value.endIndex {
            guard value[index] == ASCII.equals, value[index + 1] == UInt8(ascii: "?"), let word = parseWord(value, at: index) else {
                index += 1
                continue
            }
            let between = value[plainStart..<index]
            if pending != nil, ASCII.trimmed(between).isEmpty {
                // Only white space since the last word: dropped (RFC 2047 §6.2).
            } else {
                flushPending()
                Charset.utf8.decode(between, into: &scalars)
            }
            if let words = pending, words.charset == word.charset {
                pending!.bytes.append(contentsOf: word.bytes)
            } else {
                flushPending()
                pending = (word.charset, word.bytes)
            }
            index = word.end
            plainStart = index
        }
        flushPending()
        Charset.utf8.decode(value[plainStart...], into: &scalars)
        return scalars
    }

    /// The word at `start` (which holds "=?"): its charset, decoded bytes, and where it ends.
    private static func parseWord(_ value: ArraySlice<UInt8>, at start: Int) -> (charset: Charset, bytes: [UInt8], end: Int)? {
        let question = UInt8(ascii: "?")
        let limit = min(value.endIndex, start + 2048)  // a word is short; do not scan a whole header for "?="
        var charsetEnd = start + 2
        while charsetEnd < limit, value[charsetEnd] != question {
            if ASCII.isSpace(value[charsetEnd]) { return nil }
            charsetEnd += 1
        }
        guard charsetEnd + 2 < limit, value[charsetEnd + 2] == question else { return nil }
        let encoding = ASCII.lower(value[charsetEnd + 1])
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        let textStart = charsetEnd + 3
        var textEnd = textStart
        while textEnd + 1 < limit, !(value[textEnd] == question && value[textEnd + 1] == ASCII.equals) { textEnd += 1 }
        guard textEnd + 1 < limit else { return nil }
        // RFC 2231 allows a language after the charset: "=?utf-8*en?Q?…?=".
        var label = value[(start + 2)..<charsetEnd]
        if let star = label.firstIndex(of: UInt8(ascii: "*")) { label = label[label.startIndex..<star] }
        let text = value[textStart..<textEnd]
        let bytes = encoding == UInt8(ascii: "b") ? TransferEncoding.base64(text) : qDecode(text)
        return (Charset(label: label), bytes, textEnd + 2)
    }

    /// The Q encoding: quoted-printable where "_" is a space.
    private static func qDecode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        // "_" first, so an escaped underscore ("=5F") stays an underscore.
        TransferEncoding.quotedPrintable(text.map { $0 == UInt8(ascii: "_") ? ASCII.space : $0 }[...])
    }
}
