extension JSONValue {
    /// The same value with every object's keys in ascending order (Unicode code points), so
    /// that one value always gives one text: for stored metrics, which are compared and
    /// hashed as text, and for `--json` output a reader can diff.
    public var sortedKeys: JSONValue {
        switch self {
        case let .array(elements): .array(elements.map(\.sortedKeys))
        case let .object(entries): .object(entries.map { ($0.key, $0.value.sortedKeys) }.sorted { $0.0 < $1.0 })
        default: self
        }
    }
}
