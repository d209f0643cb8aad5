import Foundation

/// Reads labeled examples from a TSV, CSV or JSON-lines file.
public enum LabeledDataReader {
    /// `format` nil means detect it (see `DataFormat.detect`). With `labels`, a row whose label is
    /// not in the set is an error naming the file and line; without, any non-empty label goes.
    public static func read(_ url: URL, format: DataFormat? = nil, labels: LabelSet? = nil) throws -> [LabeledExample] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        var contents = String(decoding: data, as: UTF8.self)
        // A spreadsheet's "UTF-8" export starts with a byte-order mark, which would otherwise
        // glue itself to the first column's name ("\u{feff}label") or the first label.
        if contents.unicodeScalars.first == "\u{FEFF}" { contents.unicodeScalars.removeFirst() }
        return try parse(contents, format: format ?? DataFormat.detect(url: url, contents: contents), path: url.path, labels: labels)
    }

    public static func parse(_ contents: String, format: DataFormat, path: String = "(input)", labels: LabelSet? = nil) throws -> [LabeledExample] {
        let examples: [LabeledExample]
        switch format {
        case .tsv: examples = try TSVReader.parse(contents, path: path, labels: labels)
        case .csv: examples = try CSVReader.parse(contents, path: path, labels: labels)
        case .jsonl: examples = try JSONLinesReader.parse(contents, path: path, labels: labels)
        }
        guard !examples.isEmpty else { throw DatasetError.noExamples(path: path) }
        return examples
    }

    /// A label as the model knows it: trimmed and lower-cased, so `Spam`, `SPAM` and `spam ` are
    /// one label, not three.
    public static func normalizedLabel(_ label: some StringProtocol) -> String {
        label.trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func check(_ label: String, labels: LabelSet?, path: String, line: Int) throws {
        if let labels, labels.index(of: label) == nil {
            throw DatasetError.unknownLabel(path: path, line: line, label: label, known: labels.names)
        }
    }
}
