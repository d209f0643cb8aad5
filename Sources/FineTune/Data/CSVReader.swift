/// RFC 4180 CSV: fields separated by commas, optionally in double quotes (a doubled quote is a
/// literal one; quoted fields may hold commas and newlines), records ending in LF or CRLF.
/// The header names the columns; `label` and `text` are required, others are ignored.
enum CSVReader {
    static func parse(_ contents: String, path: String, labels: LabelSet?) throws -> [LabeledExample] {
        let records = try splitRecords(Array(contents.utf8), path: path)
        guard let (_, header) = records.first else { throw DatasetError.noExamples(path: path) }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let labelColumn = names.firstIndex(of: "label") else {
            throw DatasetError.missingColumn(path: path, column: "label", header: names)
        }
        guard let textColumn = names.firstIndex(of: "text") else {
            throw DatasetError.missingColumn(path: path, column: "text", header: names)
        }
        var examples: [LabeledExample] = []
        for (line, fields) in records.dropFirst() {
            if fields == [""] { continue }  // blank line
            guard fields.count == names.count else {
                throw DatasetError.malformedRow(path: path, line: line,
                                                reason: "\(fields.count) fields, but the header has \(names.count)")
            }
            let label = LabeledDataReader.normalizedLabel(fields[labelColumn])
            guard !label.isEmpty else { throw DatasetError.malformedRow(path: path, line: line, reason: "empty label") }
            try LabeledDataReader.check(label, labels: labels, path: path, line: line)
            examples.append(LabeledExample(text: fields[textColumn], label: label))
        }
        return examples
    }

    /// Records with the line each starts on.
    static func splitRecords(_ bytes: [UInt8], path: String) throws -> [(line: Int, fields: [String])] {
        let (quote, comma, lf, cr) = (UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "\r"))
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1, quoteLine = 0
        var inQuotes = false, fieldWasQuoted = false
        var i = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                    inQuotes = false
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case quote:
                guard field.isEmpty, !fieldWasQuoted else {
                    throw DatasetError.malformedRow(path: path, line: line, reason: "a quote inside an unquoted field (quote the whole field and double the quote)")
                }
                inQuotes = true
                fieldWasQuoted = true
                quoteLine = line
            case comma:
                endField()
            case cr where i + 1 < bytes.count && bytes[i + 1] == lf:
                break  // the LF ends the record
            case lf:
                endField()
                records.append((recordLine, fields))
                fields.removeAll()
                line += 1
                recordLine = line
            default:
                if fieldWasQuoted {
                    throw DatasetError.malformedRow(path: path, line: line, reason: "text after a closing quote")
                }
                field.append(b)
            }
            i += 1
        }
        if inQuotes {
            throw DatasetError.malformedRow(path: path, line: quoteLine, reason: "a quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted {
            endField()
            records.append((recordLine, fields))
        }
        return records
    }
}

import Foundation
