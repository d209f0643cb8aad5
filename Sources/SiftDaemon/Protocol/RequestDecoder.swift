import SiftJSON

/// Turns one line (without its LF) into a ``Request``, or the error to answer it with.
///
/// A line whose first byte is `{` is a JSON request; any other line is a text to classify.
public enum RequestDecoder {
    public enum Outcome: Sendable {
        case request(Request)
        /// The reply to send instead; `ref` is echoed when the line was readable enough to have one.
        case error(ProtocolError, ref: JSONValue?)
    }

    public static func decode(_ line: some Collection<UInt8>) -> Outcome {
        var bytes = Array(line)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .error(ProtocolError(.invalidUTF8, "the line is not valid UTF-8"), ref: nil)
        }
        guard bytes.first == UInt8(ascii: "{") else {
            return .request(Request(op: "classify", ref: nil, fields: RequestFields([("text", .string(text))])))
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return .error(ProtocolError(.malformedJSON, "not valid JSON at byte \(error.offset): \(error.reason)"), ref: nil)
        }
        guard case let .object(entries) = value else {
            return .error(ProtocolError(.malformedJSON, "a request must be a JSON object"), ref: nil)
        }
        let ref = value["ref"]
        guard let op = value["op"] else { return .error(.missing("op"), ref: ref) }
        guard case let .string(name) = op else { return .error(.wrongType("op", expected: "a string", got: op), ref: ref) }
        return .request(Request(op: name, ref: ref, fields: RequestFields(entries)))
    }
}
