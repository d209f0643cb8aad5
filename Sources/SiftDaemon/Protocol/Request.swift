import SiftJSON

/// One decoded request line: which operation, the `ref` to echo, and the fields to read.
public struct Request: Sendable {
    public var op: String
    public var ref: JSONValue?
    public var fields: RequestFields

    public init(op: String, ref: JSONValue?, fields: RequestFields) {
        self.op = op
        self.ref = ref
        self.fields = fields
    }
}

/// The fields of a request object, read with the protocol's error codes: a missing field is
/// `missing_field`, a field of the wrong JSON type `wrong_type`, both naming the field.
public struct RequestFields: Sendable {
    private let entries: [(key: String, value: JSONValue)]

    public init(_ entries: [(key: String, value: JSONValue)]) {
        self.entries = entries
    }

    public subscript(name: String) -> JSONValue? {
        entries.first { $0.key == name }?.value
    }

    public func string(_ name: String) throws(ProtocolError) -> String {
        guard let value = self[name] else { throw .missing(name) }
        guard case let .string(text) = value else { throw .wrongType(name, expected: "a string", got: value) }
        return text
    }

    public func optionalInt(_ name: String) throws(ProtocolError) -> Int64? {
        guard let value = self[name], value != .null else { return nil }
        guard case let .int(number) = value else { throw .wrongType(name, expected: "an integer", got: value) }
        return number
    }

    public func optionalString(_ name: String) throws(ProtocolError) -> String? {
        guard let value = self[name], value != .null else { return nil }
        guard case let .string(text) = value else { throw .wrongType(name, expected: "a string", got: value) }
        return text
    }

    public func optionalBool(_ name: String) throws(ProtocolError) -> Bool? {
        guard let value = self[name], value != .null else { return nil }
        guard case let .bool(flag) = value else { throw .wrongType(name, expected: "true or false", got: value) }
        return flag
    }

    public func int(_ name: String) throws(ProtocolError) -> Int64 {
        guard let number = try optionalInt(name) else { throw .missing(name) }
        return number
    }

    /// A text to classify or store: a string with something besides white space in it.
    public func text(_ name: String = "text") throws(ProtocolError) -> String {
        let text = try string(name)
        guard text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw ProtocolError(.emptyText, "\"\(name)\" is empty", field: name)
        }
        return text
    }

    /// A message id: a positive integer.
    public func messageID(_ name: String = "message_id") throws(ProtocolError) -> Int64 {
        let id = try int(name)
        guard id > 0 else { throw ProtocolError(.invalidValue, "\"\(name)\" must be positive, not \(id)", field: name) }
        return id
    }
}
