/// Which token's hidden state the classification head reads.
public enum Pooling: Sendable, Equatable, CustomStringConvertible {
    /// The last real token; no padding at all.
    case last
    /// The reference's exact behaviour: right-pad with `<|endoftext|>` to `maxLength` (truncating
    /// longer texts) and read position -1, with no attention mask.
    case padded(maxLength: Int)

    public static let padTokenID = 50256

    /// Parses `last`, `padded:N` or `padded(N)`.
    public init?(_ text: String) {
        if text == "last" { self = .last; return }
        for (prefix, suffix) in [("padded:", ""), ("padded(", ")")] where text.hasPrefix(prefix) && text.hasSuffix(suffix) {
            let number = text.dropFirst(prefix.count).dropLast(suffix.count)
            if let n = Int(number), n > 0 { self = .padded(maxLength: n); return }
        }
        return nil
    }

    public var description: String {
        switch self {
        case .last: "last"
        case let .padded(n): "padded:\(n)"
        }
    }

    /// The token ids to run so that the pooled token is the sequence's last row.
    ///
    /// Texts longer than the context keep their *beginning*: the reference truncates the same way
    /// (`ids[:max_length]`), and a message's opening (sender pitch, subject, first sentence) is
    /// where spam shows itself; the tail of a long mail is mostly signatures and footers.
    /// An empty sequence becomes one `<|endoftext|>` so every text has a row to read.
    public func prepare(_ ids: [Int], contextLength: Int) -> [Int] {
        switch self {
        case .last:
            let kept = Array(ids.prefix(contextLength))
            return kept.isEmpty ? [Self.padTokenID] : kept
        case let .padded(maxLength):
            let length = min(maxLength, contextLength)
            let kept = Array(ids.prefix(length))
            return kept + Array(repeating: Self.padTokenID, count: length - kept.count)
        }
    }
}
