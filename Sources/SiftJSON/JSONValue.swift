/// A JSON value as Sift reads and writes it: the daemon protocol, stored metrics, `--json` output.
///
/// The protocol needs only a little of JSON, but it needs it exactly: integers that stay
/// integers (`message_id`), `true` that is not `1`, object keys written in a chosen order, and
/// parsing that works on the raw bytes of a line. Foundation's coders blur the first two, so Sift
/// has its own small reader and writer (``JSONParser``, ``JSONWriter``).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in the order they were read or are to be written.
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.double(a), .double(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// The value of `key` in an object (the first, if a sender repeated it); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    public var stringValue: String? { if case let .string(text) = self { text } else { nil } }
    public var intValue: Int64? { if case let .int(number) = self { number } else { nil } }
    /// A number, integral or not.
    public var doubleValue: Double? {
        switch self {
        case let .double(number): number
        case let .int(number): Double(number)
        default: nil
        }
    }
    public var boolValue: Bool? { if case let .bool(flag) = self { flag } else { nil } }
    public var arrayValue: [JSONValue]? { if case let .array(items) = self { items } else { nil } }
    /// An int or a double, as a Double.
    public var numberValue: Double? {
        switch self {
        case let .int(number): Double(number)
        case let .double(number): number
        default: nil
        }
    }

    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number with a fraction"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A probability or other model output as a JSON number, written with the Float's own
    /// shortest digits (0.991, not 0.9909999966621399).
    public static func number(_ value: Float) -> JSONValue {
        guard value.isFinite else { return .null }
        return .double(Double("\(value)") ?? Double(value))
    }
}

/// Literals, so requests read like the JSON they become: `["op": "classify", "text": .string(text)]`.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Keys stay in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { (key: $0.0, value: $0.1) }) }
}
