/// What can be wrong with a data file, with the path and line to fix it at.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformedRow(path: String, line: Int, reason: String)
    case missingColumn(path: String, column: String, header: [String])
    case unknownLabel(path: String, line: Int, label: String, known: [String])
    case noExamples(path: String)
    case tooFewExamples(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .malformedRow(path, line, reason): "\(path):\(line): \(reason)"
        case let .missingColumn(path, column, header):
            "\(path): the header has no \"\(column)\" column (columns: \(header.joined(separator: ", ")))"
        case let .unknownLabel(path, line, label, known):
            "\(path):\(line): unknown label \"\(label)\" (expected one of: \(known.joined(separator: ", ")))"
        case let .noExamples(path): "\(path) holds no examples"
        case let .tooFewExamples(reason): reason
        }
    }
}
