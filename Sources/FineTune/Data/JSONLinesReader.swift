import Foundation

/// One JSON object per line: `{"text": "…", "label": "spam"}`; other keys are ignored.
enum JSONLinesReader {
    static func parse(_ contents: String, path: String, labels: LabelSet?) throws -> [LabeledExample] {
        var examples: [LabeledExample] = []
        var lineNumber = 0
        for line in TextLines.split(contents) {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw DatasetError.malformedRow(path: path, line: lineNumber, reason: "not a JSON object")
            }
            guard let text = object["text"] as? String else {
                throw DatasetError.malformedRow(path: path, line: lineNumber, reason: "no string field \"text\"")
            }
            guard let label = (object["label"] as? String).map(LabeledDataReader.normalizedLabel), !label.isEmpty else {
                throw DatasetError.malformedRow(path: path, line: lineNumber, reason: "no non-empty string field \"label\"")
            }
            try LabeledDataReader.check(label, labels: labels, path: path, line: lineNumber)
            examples.append(LabeledExample(text: text, label: label))
        }
        return examples
    }
}
