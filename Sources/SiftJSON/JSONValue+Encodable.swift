extension JSONValue {
    /// An `Encodable` value as JSON, through its `Codable` conformance (so its `CodingKeys`
    /// stay the one description of its fields; `JSONDecoder` reads the text back).
    ///
    /// Written to give what Foundation's `JSONEncoder` gave before this module existed:
    /// nil optionals are left out, integral doubles are integers (`1`, not `1.0`, so stored
    /// metrics read back as before), and a non-finite number throws instead of becoming null.
    public init(encoding value: some Encodable) throws {
        let root = EncodedNode()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        self = root.value
    }
}

/// A value under construction: containers are filled after they are handed out, so they
/// share this reference with the encoder that made them.
private final class EncodedNode {
    enum Content {
        case empty
        case value(JSONValue)
        case array([EncodedNode])
        case object([(key: String, node: EncodedNode)])
    }

    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: .object([])  // a value that encoded nothing, written as JSONEncoder wrote it
        case let .value(value): value
        case let .array(nodes): .array(nodes.map(\.value))
        case let .object(entries): .object(entries.map { ($0.key, $0.node.value) })
        }
    }

    func appending(to key: String) -> EncodedNode {
        let child = EncodedNode()
        guard case var .object(entries) = content else { preconditionFailure("not an object") }
        content = .empty  // `entries` is then the only reference: appending does not copy
        entries.append((key, child))
        content = .object(entries)
        return child
    }

    func appendingElement() -> EncodedNode {
        let child = EncodedNode()
        guard case var .array(nodes) = content else { preconditionFailure("not an array") }
        content = .empty
        nodes.append(child)
        content = .array(nodes)
        return child
    }

    var elementCount: Int { if case let .array(nodes) = content { nodes.count } else { 0 } }
}

/// A JSON number for a Double, as `JSONEncoder` wrote it: integral values without a fraction.
private func number(_ value: Double, codingPath: [any CodingKey]) throws -> JSONValue {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) is not a JSON number"))
    }
    // 2^53: beyond it a Double is not exact as an integer and stays in exponent form.
    if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return .int(Int64(value)) }
    return .double(value)
}

private struct NodeEncoder: Encoder {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueNodeContainer(node: node, codingPath: codingPath)
    }
}

/// Every value, keyed or not, goes through here: primitives become JSON directly; anything
/// else encodes itself into the node.
private func encodeValue(_ value: some Encodable, into node: EncodedNode, codingPath: [any CodingKey]) throws {
    switch value {
    case let flag as Bool: node.content = .value(.bool(flag))
    case let text as String: node.content = .value(.string(text))
    case let double as Double: node.content = .value(try number(double, codingPath: codingPath))
    // The Float's own shortest digits (0.991, not 0.9909999966621399).
    case let float as Float:
        node.content = .value(try number(Double("\(float)") ?? Double(float), codingPath: codingPath))
    case let integer as any FixedWidthInteger:
        guard let exact = Int64(exactly: integer) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(integer) does not fit in 64 bits"))
        }
        node.content = .value(.int(exact))
    default: try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.appending(to: key.stringValue).content = .value(.null) }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try encodeValue(value, into: node.appending(to: key.stringValue), codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        NodeEncoder(node: node.appending(to: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appending(to: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.appending(to: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var count: Int { node.elementCount }

    mutating func encodeNil() throws { node.appendingElement().content = .value(.null) }

    mutating func encode(_ value: some Encodable) throws {
        try encodeValue(value, into: node.appendingElement(), codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appendingElement(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appendingElement(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.appendingElement(), codingPath: codingPath) }
}

private struct SingleValueNodeContainer: SingleValueEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }

    mutating func encode(_ value: some Encodable) throws {
        try encodeValue(value, into: node, codingPath: codingPath)
    }
}
