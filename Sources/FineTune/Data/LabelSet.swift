/// The named classes a classifier predicts, in head-row order (row 0 is `names[0]`).
public struct LabelSet: Sendable, Equatable, Codable {
    public let names: [String]

    public static let hamSpam = LabelSet(names: ["ham", "spam"])

    public init(names: [String]) {
        precondition(!names.isEmpty, "a label set needs at least one label")
        self.names = names
    }

    public var count: Int { names.count }

    /// The row of `name`, or nil for a label this set does not have.
    public func index(of name: String) -> Int? { names.firstIndex(of: name) }
}
