/// Walks a message's MIME tree (RFC 2045/2046) and writes the text of its parts into a
/// ``TextBuilder``, in order, until the budget is filled.
///
/// - multipart/alternative: one version, the plain text if it has any, else the HTML;
///   other multiparts: every part in order. A multipart without a usable boundary is read
///   as plain text, so damaged mail still gives its words.
/// - message/rfc822 (a forwarded mail): its body, walked like the outer one.
/// - text/html: through ``HTMLText``; other text: as it is; anything else, or anything marked
///   as an attachment: "[attachment: name type]", never its content.
/// Nesting deeper than `maxDepth` is skipped: the recursion, and so the stack, stay bounded
/// whatever the sender nests.
struct MIMEWalker {
    var builder: TextBuilder
    let maxDepth: Int

    mutating func walk(_ headers: Headers, _ body: ArraySlice<UInt8>, depth: Int) {
        guard !builder.isFull else { return }
        let contentType = HeaderValue(headers["content-type"])
        let media = contentType.value.contains("/") ? contentType.value : "text/plain"
        let disposition = HeaderValue(headers["content-disposition"])
        if disposition.value == "attachment" {
            attachment(media, name: fileName(disposition, contentType))
        } else if media.hasPrefix("multipart/") {
            guard depth < maxDepth else { return }
            guard let boundary = contentType["boundary"], var parts = MultipartBody(body, boundary: boundary) else {
                text(body, headers: headers, contentType: contentType, isHTML: false)
                return
            }
            if media == "multipart/alternative" {
                alternative(&parts, depth: depth)
            } else {
                while !builder.isFull, let part = parts.next() {
                    let (partHeaders, partBody) = Headers.parse(part)
                    walk(partHeaders, partBody, depth: depth + 1)
                }
            }
        } else if media == "message/rfc822" {
            guard depth < maxDepth else { return }
            let (innerHeaders, innerBody) = Headers.parse(body)
            walk(innerHeaders, innerBody, depth: depth + 1)
        } else if media.hasPrefix("text/") {
            text(body, headers: headers, contentType: contentType, isHTML: media == "text/html")
        } else {
            attachment(media, name: fileName(disposition, contentType))
        }
    }

    /// Picks the version to read: the first plain text with words in it, else the first HTML,
    /// else the first part of any kind.
    private mutating func alternative(_ parts: inout MultipartBody, depth: Int) {
        var html: (Headers, ArraySlice<UInt8>)?
        var first: (Headers, ArraySlice<UInt8>)?
        var count = 0
        while let part = parts.next(), count < 16 {
            count += 1
            let (headers, body) = Headers.parse(part)
            if first == nil { first = (headers, body) }
            let media = HeaderValue(headers["content-type"]).value
            if media == "text/plain" || media.isEmpty, !ASCII.trimmed(body).isEmpty {
                walk(headers, body, depth: depth + 1)
                return
            }
            if media == "text/html", html == nil { html = (headers, body) }
        }
        if let chosen = html ?? first { walk(chosen.0, chosen.1, depth: depth + 1) }
    }

    /// A text part: only as much of it is decoded as can fill what is left of the budget.
    private mutating func text(_ body: ArraySlice<UInt8>, headers: Headers, contentType: HeaderValue, isHTML: Bool) {
        // Generous, for markup-heavy HTML and the transfer encodings, and still bounded:
        // a 10 MiB part costs what its first few tens of KB cost.
        let rawLimit = builder.remaining * (isHTML ? 32 : 8) + 4096
        let raw = body.prefix(rawLimit)
        var decoded = TransferEncoding(headers["content-transfer-encoding"]).decode(raw)
        let charset = Charset(label: contentType["charset"])
        if raw.count < body.count, charset == .utf8 { Self.dropIncompleteUTF8Tail(&decoded) }
        let scalars = charset.decode(decoded[...])
        builder.breakLine()
        if isHTML {
            HTMLText.append(scalars, to: &builder)
        } else {
            builder.append(scalars)
        }
    }

    /// A part cut at the raw limit may end inside a character: without this its first bytes
    /// would read as Windows-1252 junk at the end of the text.
    private static func dropIncompleteUTF8Tail(_ bytes: inout [UInt8]) {
        var lead = bytes.count - 1
        while lead >= 0, lead >= bytes.count - 4, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0, bytes[lead] >= 0xC0 else { return }
        let length = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : 2
        if bytes.count - lead < length { bytes.removeLast(bytes.count - lead) }
    }

    private mutating func attachment(_ media: String, name: [Unicode.Scalar]?) {
        builder.breakLine()
        builder.literal("[attachment: ")
        builder.singleLine = true
        if let name, !name.isEmpty {
            builder.append(name.prefix(200))
            builder.append(" ")
        }
        builder.append(media.prefix(100).unicodeScalars)
        builder.singleLine = false
        builder.literal("]")
        builder.breakLine()
    }

    /// Content-Disposition's filename, else Content-Type's name; encoded words and RFC 2231
    /// `filename*=charset''percent-encoded` values decoded.
    private func fileName(_ disposition: HeaderValue, _ contentType: HeaderValue) -> [Unicode.Scalar]? {
        if let extended = disposition["filename*"] ?? contentType["name*"] {
            let parts = extended.split(separator: UInt8(ascii: "'"), maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3 {
                return Charset(label: parts[0]).decode(percentDecoded(parts[2])[...])
            }
        }
        return (disposition["filename"] ?? contentType["name"]).map(EncodedWords.decode)
    }

    private func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
               let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}
