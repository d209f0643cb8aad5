/// One text with its label name, as read from a data file.
public struct LabeledExample: Sendable, Equatable, Hashable {
    public var text: String
    public var label: String

    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}

/// One example ready for the model: token ids (before pooling's truncation or padding) and the
/// row of its label in the head.
public struct TokenizedExample: Sendable, Equatable {
    public var ids: [Int]
    public var label: Int

    public init(ids: [Int], label: Int) {
        self.ids = ids
        self.label = label
    }
}

extension LabelSet {
    /// The labels found in `examples`: `ham, spam` when that is all there is (so spam is row 1 as
    /// in the reference), otherwise the distinct names sorted, so the order never depends on
    /// which row came first in a file.
    public static func inferred(from examples: [LabeledExample]) -> LabelSet {
        let names = Set(examples.map(\.label))
        if names.isSubset(of: Set(LabelSet.hamSpam.names)) { return .hamSpam }
        return LabelSet(names: names.sorted())
    }

    /// Token ids and label rows for `examples`; a label outside this set is an error naming it.
    public func tokenize(_ examples: [LabeledExample], encode: (String) -> [Int]) throws -> [TokenizedExample] {
        try examples.map { e in
            guard let row = index(of: e.label) else {
                throw DatasetError.unknownLabel(path: "(examples)", line: 0, label: e.label, known: names)
            }
            return TokenizedExample(ids: encode(e.text), label: row)
        }
    }
}
