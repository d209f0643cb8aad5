/// The four kinds of character GPT-2's pre-tokenization pattern distinguishes.
///
/// The pattern's classes come from Python's `regex` module (as used by OpenAI and tiktoken):
/// `\p{L}` and `\p{N}` are general categories (L*, N*), and `\s` is the White_Space property.
/// `isAlphabetic` would be wrong: it includes marks and letter-like symbols that `\p{L}` does not.
enum ScalarClass: UInt8 {
    case letter
    case number
    case whitespace
    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls, emoji.
    case other

    @inline(__always)
    init(_ value: UInt32) {
        if value < 0x80 {
            switch value {
            case 0x41...0x5A, 0x61...0x7A: self = .letter
            case 0x30...0x39: self = .number
            case 0x09...0x0D, 0x20: self = .whitespace
            default: self = .other
            }
        } else {
            self = Self.classifyNonASCII(value)
        }
    }

    // Kept out of line: inlined, its stdlib metadata lookups get hoisted into the ASCII path.
    @inline(never)
    private static func classifyNonASCII(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}
