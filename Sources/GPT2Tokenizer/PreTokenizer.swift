/// Splits UTF-8 text into the pieces GPT-2's pattern finds, before any merging:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// A hand-written scanner instead of a regex engine: it is several times faster, and the
/// lookahead rule is easy to get subtly wrong with a different engine's semantics. What the
/// pattern means, alternative by alternative, at the current position:
/// - an ASCII apostrophe followed by one of the lowercase suffixes is a piece on its own;
/// - otherwise an optional ASCII space (only U+0020, never other whitespace) followed by a
///   maximal run of letters, or of numbers, or of "other" characters is a piece;
/// - otherwise we are at whitespace. A run that reaches the end of the text is one piece. A run
///   followed by a non-space gives up its last scalar, which then starts the next piece (as the
///   optional leading space if it is U+0020, else as a one-scalar piece of its own); a run of
///   one scalar cannot give anything up and is a piece by itself.
struct PreTokenizer {
    private let text: UnsafeBufferPointer<UInt8>
    private var position = 0

    /// `text` must be valid UTF-8, as every Swift `String`'s storage is.
    init(utf8 text: UnsafeBufferPointer<UInt8>) {
        self.text = text
    }

    /// The byte range of the next piece, or nil at the end of the text.
    mutating func next() -> Range<Int>? {
        let start = position
        guard start < text.count else { return nil }
        let end = contractionEnd(at: start) ?? runEnd(at: start)
        position = end
        return start..<end
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, case-sensitive, ASCII apostrophe only.
    @inline(__always)
    private func contractionEnd(at start: Int) -> Int? {
        guard text[start] == UInt8(ascii: "'"), start + 1 < text.count else { return nil }
        switch text[start + 1] {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return start + 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return byte(at: start + 2) == UInt8(ascii: "e") ? start + 3 : nil
        case UInt8(ascii: "l"):
            return byte(at: start + 2) == UInt8(ascii: "l") ? start + 3 : nil
        default:
            return nil
        }
    }

    @inline(__always)
    private func runEnd(at start: Int) -> Int {
        var (kind, length) = classify(at: start)
        var runStart = start
        if text[start] == UInt8(ascii: " "), start + 1 < text.count {
            let (nextKind, nextLength) = classify(at: start + 1)
            if nextKind != .whitespace {
                // ` ?\p{L}+` and friends: the space leads the run of what follows it.
                (kind, length, runStart) = (nextKind, nextLength, start + 1)
            }
        }
        var end = runStart + length
        if kind != .whitespace {
            while end < text.count {
                let (nextKind, nextLength) = classify(at: end)
                guard nextKind == kind else { break }
                end += nextLength
            }
            return end
        }
        // `\s+(?!\S)|\s+`
        var lastScalarStart = start
        while end < text.count {
            let (nextKind, nextLength) = classify(at: end)
            guard nextKind == .whitespace else { break }
            lastScalarStart = end
            end += nextLength
        }
        if end < text.count && lastScalarStart > start { return lastScalarStart }
        return end
    }

    @inline(__always)
    private func byte(at index: Int) -> UInt8? { index < text.count ? text[index] : nil }

    /// The class and UTF-8 length of the scalar starting at `index`.
    @inline(__always)
    private func classify(at index: Int) -> (ScalarClass, Int) {
        let lead = text[index]
        if lead < 0x80 { return (ScalarClass(UInt32(lead)), 1) }
        let value: UInt32
        let length: Int
        if lead < 0xE0 {
            value = UInt32(lead & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F)
            length = 2
        } else if lead < 0xF0 {
            value = UInt32(lead & 0x0F) << 12 | UInt32(text[index + 1] & 0x3F) << 6 | UInt32(text[index + 2] & 0x3F)
            length = 3
        } else {
            value = UInt32(lead & 0x07) << 18 | UInt32(text[index + 1] & 0x3F) << 12
                | UInt32(text[index + 2] & 0x3F) << 6 | UInt32(text[index + 3] & 0x3F)
            length = 4
        }
        return (ScalarClass(value), length)
    }
}

extension PreTokenizer {
    /// The pieces of `text` as strings; for tests and for explaining a tokenization.
    static func pieces(of text: String) -> [String] {
        var text = text
        return text.withUTF8 { utf8 in
            var scanner = PreTokenizer(utf8: utf8)
            var pieces: [String] = []
            while let range = scanner.next() {
                pieces.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[range]), as: UTF8.self))
            }
            return pieces
        }
    }
}
