/// A spamd reply as bytes: `SPAMD/1.5 <code> <text>`, headers, a blank line, the body.
struct SpamcResponse: Sendable {
    var bytes: [UInt8]
    /// The status sent, for the metrics.
    var status: SpamcStatus

    /// A success: `headers` in order, then `Content-length` and `body`.
    static func ok(headers: [(name: String, value: String)], body: [UInt8] = []) -> SpamcResponse {
        var head = "SPAMD/1.5 0 EX_OK\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-length: \(body.count)\r\n\r\n"
        return SpamcResponse(bytes: Array(head.utf8) + body, status: .ok)
    }

    /// The answer to PING (spamd sends just the line).
    static let pong = SpamcResponse(bytes: Array("SPAMD/1.5 0 PONG\r\n".utf8), status: .ok)

    /// An error: the status and its name, then the reason on the same line (spamc logs it).
    static func failure(_ error: SpamcError) -> SpamcResponse {
        // One line, whatever the message holds.
        let reason = String(error.message.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
        let line = "SPAMD/1.5 \(error.status.rawValue) \(error.status.name) \(reason)\r\n\r\n"
        return SpamcResponse(bytes: Array(line.utf8), status: error.status)
    }
}
