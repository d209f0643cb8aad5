/// What a spamd client asks for: the method of the request line (`CHECK SPAMC/1.5`).
public enum SpamcMethod: String, Sendable, CaseIterable {
    case ping = "PING"
    case check = "CHECK"
    case symbols = "SYMBOLS"
    case report = "REPORT"
    case reportIfSpam = "REPORT_IFSPAM"
    case process = "PROCESS"
    case headers = "HEADERS"
    case tell = "TELL"
    /// Sent by a client that connected by mistake: the connection is closed without a reply.
    case skip = "SKIP"

    /// Whether a message follows the headers (announced by `Content-length`).
    var hasBody: Bool { self != .ping && self != .skip }
}

/// One complete SPAMC request: method, headers (names lower-cased, values trimmed) and the
/// message, exactly the `Content-length` bytes that followed the blank line.
public struct SpamcRequest: Sendable, Equatable {
    public var method: SpamcMethod
    /// The protocol version of the request line, e.g. "1.5".
    public var version: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: SpamcMethod, version: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The value of a header, by any spelling of its name (`Content-length`, `content-length`).
    public subscript(header name: String) -> String? { headers[name.lowercased()] }
}
