/// Reads one SPAMC request from a connection's bytes as they arrive: the request line and
/// headers up to the blank line, then exactly `Content-length` bytes of message.
///
/// Lines may end in CRLF (what `spamc` sends) or LF alone. Header names are case-insensitive.
/// A message longer than `maxMessageBytes` is not kept: its bytes are read and dropped, and
/// the request then fails with "message too big", so the client, which writes the whole message
/// before it reads, gets a readable answer instead of a broken pipe.
public struct SpamcRequestParser: Sendable {
    public enum Event: Sendable, Equatable {
        /// The request is not complete yet.
        case needMore
        case request(SpamcRequest)
        /// Answer with this error, then close.
        case failure(SpamcError)
        /// The client left without sending anything (a probe): close without a reply.
        case end
    }

    private enum Phase: Sendable {
        case header
        case body(SpamcRequest, length: Int)
        case discarding(SpamcError, remaining: Int)
        case done
    }

    /// Request line plus headers at most; `spamc` sends about a hundred bytes.
    public static let maxHeaderBytes = 16 << 10
    /// A `Content-length` beyond this is not a message anyone is sending: refused at once
    /// rather than read and dropped.
    static let largestDiscardable = 1 << 40

    public let maxMessageBytes: Int
    /// The length of the message being read, once its headers are in: what the connection
    /// asks admission control for before the body fills memory.
    public private(set) var announcedLength: Int?
    private var phase = Phase.header
    private var head: [UInt8] = []
    /// Where the search for the blank line resumes in `head`.
    private var scanned = 0

    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Takes the next bytes of the connection. After anything but `.needMore`, the parser is
    /// done and further bytes are ignored.
    public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Event {
        switch phase {
        case .done:
            return .needMore
        case .header:
            head.append(contentsOf: bytes)
            return takeHeader()
        case .body(var request, let length):
            phase = .done  // drops the phase's reference, so the body grows in place, not copied
            let wanted = length - request.body.count
            request.body.append(contentsOf: bytes.prefix(wanted))
            return bodyEvent(request, length: length)
        case let .discarding(error, remaining):
            return discard(error, remaining: remaining - min(remaining, bytes.count))
        }
    }

    /// Refuses the request being read (admission control said no): the rest of its message is
    /// read and dropped, then `error` is the answer.
    public mutating func reject(_ error: SpamcError) -> Event {
        if case let .body(request, length) = phase {
            return discard(error, remaining: length - request.body.count)
        }
        return fail(error)
    }

    /// The client closed its side: what the bytes so far amount to.
    public mutating func finish() -> Event {
        let event: Event
        switch phase {
        case .done:
            return .needMore
        case .header:
            event = head.allSatisfy { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
                ? .end : .failure(SpamcError(.protocolError, "the request ended before the blank line that closes its headers"))
        case let .body(request, length):
            event = .failure(SpamcError(.protocolError, "the message ended after \(request.body.count) of its \(length) bytes (Content-length)"))
        case let .discarding(error, _):
            event = .failure(error)
        }
        phase = .done
        return event
    }

    private mutating func takeHeader() -> Event {
        let blank = blankLine()
        guard let blank, blank.headerEnd <= Self.maxHeaderBytes else {
            if head.count > Self.maxHeaderBytes {
                return fail(SpamcError(.protocolError, "the request line and headers are longer than \(Self.maxHeaderBytes) bytes"))
            }
            return .needMore
        }
        let request: SpamcRequest
        do throws(SpamcError) {
            request = try Self.parseHeader(head[..<blank.headerEnd])
        } catch {
            return fail(error)
        }
        let rest = head[blank.bodyStart...]
        head = []
        guard request.method.hasBody else {
            phase = .done
            return .request(request)
        }
        let length: Int
        do throws(SpamcError) {
            length = try Self.contentLength(request)
        } catch {
            return fail(error)
        }
        if length > maxMessageBytes {
            let error = SpamcError(.dataError, "message too big: \(length) bytes, more than spamc.max_message_bytes (\(maxMessageBytes))")
            return discard(error, remaining: length - min(length, rest.count))
        }
        announcedLength = length
        var withBody = request
        // Not the whole announced length: admission has not seen this request yet, and a
        // refused one must not hold up to max_message_bytes. The body grows as it arrives.
        withBody.body.reserveCapacity(min(length, 64 << 10))
        withBody.body.append(contentsOf: rest.prefix(length))
        return bodyEvent(withBody, length: length)
    }

    private mutating func bodyEvent(_ request: SpamcRequest, length: Int) -> Event {
        guard request.body.count == length else {
            phase = .body(request, length: length)
            return .needMore
        }
        phase = .done
        return .request(request)
    }

    private mutating func discard(_ error: SpamcError, remaining: Int) -> Event {
        guard remaining == 0 else {
            phase = .discarding(error, remaining: remaining)
            return .needMore
        }
        return fail(error)
    }

    private mutating func fail(_ error: SpamcError) -> Event {
        phase = .done
        head = []
        return .failure(error)
    }

    /// Where the header section ends (the index of the blank line) and the body starts.
    private mutating func blankLine() -> (headerEnd: Int, bodyStart: Int)? {
        let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var index = scanned
        while index < head.count {
            if head[index] == newline {
                // The line after this LF is blank if it is LF or CRLF.
                if index + 1 < head.count, head[index + 1] == newline { return (index + 1, index + 2) }
                if index + 2 < head.count, head[index + 1] == cr, head[index + 2] == newline { return (index + 1, index + 3) }
                if index + 1 >= head.count || (head[index + 1] == cr && index + 2 >= head.count) { break }  // wait for more
            }
            index += 1
        }
        scanned = index
        return nil
    }

    /// The request line and the header lines (everything before the blank line). Split as
    /// bytes: a Swift string takes CRLF for one character.
    static func parseHeader(_ bytes: ArraySlice<UInt8>) throws(SpamcError) -> SpamcRequest {
        var lines: [String] = []
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let content = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            guard let text = String(validating: content, as: UTF8.self) else {
                throw SpamcError(.protocolError, "the request line or a header is not text (invalid UTF-8)")
            }
            lines.append(text)
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw SpamcError(.protocolError, "the request has no request line") }
        var request = try requestLine(first)
        for line in lines.dropFirst() {
            let (name, value) = try headerField(line)
            guard request.headers[name] == nil else {
                throw SpamcError(.protocolError, "the header \(name) is given twice")
            }
            request.headers[name] = value
        }
        return request
    }

    /// `METHOD SPAMC/1.5`.
    private static func requestLine(_ line: String) throws(SpamcError) -> SpamcRequest {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2, words[1].hasPrefix("SPAMC/") else {
            throw SpamcError(.protocolError, "bad request line \(String(line.prefix(80)).debugDescription); expected METHOD SPAMC/1.5")
        }
        let version = words[1].dropFirst("SPAMC/".count)
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            throw SpamcError(.protocolError, "bad protocol version \(String(words[1].prefix(40)).debugDescription); expected SPAMC/1.5")
        }
        guard let method = SpamcMethod(rawValue: String(words[0])) else {
            let known = SpamcMethod.allCases.map(\.rawValue).joined(separator: ", ")
            throw SpamcError(.protocolError, "unknown method \(String(words[0].prefix(40)).debugDescription); Sift answers \(known)")
        }
        return SpamcRequest(method: method, version: String(version))
    }

    /// `Name: value`: a name of visible ASCII without spaces, then a colon.
    private static func headerField(_ line: String) throws(SpamcError) -> (String, String) {
        guard let colon = line.firstIndex(of: ":"), colon > line.startIndex,
              line[..<colon].unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 })
        else {
            throw SpamcError(.protocolError, "bad header line \(String(line.prefix(80)).debugDescription); expected Name: value")
        }
        var value = line[line.index(after: colon)...]
        while let first = value.first, first == " " || first == "\t" { value.removeFirst() }
        while let last = value.last, last == " " || last == "\t" { value.removeLast() }
        return (line[..<colon].lowercased(), String(value))
    }

    /// The `Content-length` a request with a message must have: decimal digits.
    private static func contentLength(_ request: SpamcRequest) throws(SpamcError) -> Int {
        guard let text = request[header: "content-length"] else {
            throw SpamcError(.protocolError, "\(request.method.rawValue) needs a Content-length header")
        }
        guard !text.isEmpty, text.count <= 19, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let length = Int(text)
        else {
            throw SpamcError(.protocolError, "bad Content-length \(String(text.prefix(40)).debugDescription); expected a number of bytes")
        }
        guard length <= largestDiscardable else {
            throw SpamcError(.protocolError, "Content-length \(length) is beyond any message")
        }
        return length
    }
}
