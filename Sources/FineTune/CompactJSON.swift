import Foundation

/// JSON as Sift writes it for metadata, the store and `--json`: one line, sorted keys, `/`
/// unescaped, so the same value always gives the same text.
public enum CompactJSON {
    public static func data(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The text, or `{}` for a value that cannot be encoded (a non-finite number).
    public static func string(_ value: some Encodable) -> String {
        (try? data(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
