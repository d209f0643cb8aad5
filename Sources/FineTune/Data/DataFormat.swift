import Foundation

/// The labeled-data file formats `sift prepare-data` and `sift train` read.
public enum DataFormat: String, Sendable, CaseIterable {
    /// `label<TAB>text` per line, split on the first tab (the SMS Spam Collection's format and
    /// the one the splits are written in). An optional first line `label<TAB>text` is a header.
    case tsv
    /// RFC 4180 CSV with a header row that has `label` and `text` columns (others are ignored).
    case csv
    /// One JSON object per line with string fields `text` and `label`.
    case jsonl

    /// The format of `url`: by extension (`.tsv`/`.txt`, `.csv`, `.jsonl`/`.ndjson`/`.json`), else
    /// by content: a first line starting with `{` is JSON lines, a first line with comma-separated
    /// `label` and `text` is CSV, anything else TSV (the SMS file has no extension).
    public static func detect(url: URL, contents: String) -> DataFormat {
        switch url.pathExtension.lowercased() {
        case "tsv", "txt": return .tsv
        case "csv": return .csv
        case "jsonl", "ndjson", "json": return .jsonl
        default: break
        }
        let firstLine = TextLines.split(String(contents.prefix(4096))).first { !$0.isEmpty }.map(String.init) ?? ""
        let trimmed = firstLine.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") { return .jsonl }
        let columns = Set(trimmed.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) })
        if !trimmed.contains("\t"), columns.contains("label"), columns.contains("text") { return .csv }
        return .tsv
    }
}
