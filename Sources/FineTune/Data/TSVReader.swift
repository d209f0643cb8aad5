/// `label<TAB>text` lines, split on the first tab: the text keeps any further tabs and every
/// quote character as it is. CRLF line ends read as LF; empty lines are skipped.
enum TSVReader {
    static func parse(_ contents: String, path: String, labels: LabelSet?) throws -> [LabeledExample] {
        var examples: [LabeledExample] = []
        var lineNumber = 0
        for line in TextLines.split(contents) {
            lineNumber += 1
            if line.isEmpty { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                throw DatasetError.malformedRow(path: path, line: lineNumber, reason: "no tab between label and text")
            }
            let label = LabeledDataReader.normalizedLabel(line[..<tab])
            let text = String(line[line.index(after: tab)...])
            if lineNumber == 1, label.lowercased() == "label", text.lowercased() == "text" { continue }
            guard !label.isEmpty else {
                throw DatasetError.malformedRow(path: path, line: lineNumber, reason: "empty label")
            }
            try LabeledDataReader.check(label, labels: labels, path: path, line: lineNumber)
            examples.append(LabeledExample(text: text, label: label))
        }
        return examples
    }
}
