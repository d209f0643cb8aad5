import SiftJSON

/// What the daemon answers to one request: the fields of a success, or an error.
public enum Reply: Sendable {
    case success([(key: String, value: JSONValue)])
    case failure(ProtocolError)

    /// The reply as one line, LF included, with `ref` first when the request had one.
    public func line(ref: JSONValue?) -> [UInt8] {
        var entries: [(key: String, value: JSONValue)] = []
        if let ref { entries.append(("ref", ref)) }
        switch self {
        case let .success(fields):
            entries.append(contentsOf: fields)
        case let .failure(error):
            var detail: [(key: String, value: JSONValue)] = [("code", .string(error.code.rawValue)), ("message", .string(error.message))]
            if let field = error.field { detail.append(("field", .string(field))) }
            entries.append(("error", .object(detail)))
        }
        var bytes = JSONWriter.bytes(.object(entries))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    public var isError: Bool {
        if case .failure = self { return true }
        return false
    }
}
