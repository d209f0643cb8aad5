import Foundation

/// A message may hold U+0000 (JSON's `\u0000`, a raw line). Neither engine keeps it: SQLite (text
/// bound as a C string) would cut the text at the first NUL, and PostgreSQL's `text` refuses it,
/// which would fail the whole journal batch, again at every retry. Both store the text with each
/// NUL replaced by U+FFFD; its `sha256` stays that of the text as received, so duplicates,
/// holdout buckets and forget-by-text find it by the original.
public enum StorableText {
    public static func of(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}
