/// Header fields added to a message that is otherwise passed on byte for byte (`sift check
/// --passthrough`, and the SPAMC socket's PROCESS and HEADERS).
public enum AddedHeaders {
    /// `message` with `fields` inserted at the top of its header section, in order.
    ///
    /// Every other byte is unchanged. The new lines end as the message's first line does (CRLF
    /// or LF). An mbox `From ` envelope line stays first. A message with no header section at
    /// all (its first line is not a field and not blank) gets a blank line after the new fields,
    /// so its text stays the body instead of being read as broken headers.
    public static func inserting(_ fields: [(name: String, value: String)], into message: [UInt8]) -> [UInt8] {
        let all = message[...]
        var insertAt = all.startIndex
        if MboxSplitter.isEnvelope(all) { insertAt = ASCII.endOfLine(all, from: insertAt) }
        let firstLine = all[insertAt..<ASCII.endOfLine(all, from: insertAt)]
        let lineEnd: [UInt8] = firstLine.last == ASCII.lf && firstLine.dropLast().last == ASCII.cr ? [ASCII.cr, ASCII.lf] : [ASCII.lf]

        var added: [UInt8] = []
        for field in fields {
            added += Array("\(field.name): \(field.value)".utf8) + lineEnd
        }
        let hasHeaderSection = firstLine.isEmpty || Headers.isField(firstLine) || ASCII.content(ofLine: firstLine).isEmpty
        if !hasHeaderSection { added += lineEnd }

        var result: [UInt8] = []
        result.reserveCapacity(message.count + added.count)
        result += all[..<insertAt]
        result += added
        result += all[insertAt...]
        return result
    }

    /// The header section alone with `fields` inserted, through the blank line that ends it (or
    /// the end of a message that has no body): what spamd's HEADERS answers.
    public static func headerSection(with fields: [(name: String, value: String)], of message: [UInt8]) -> [UInt8] {
        let added = inserting(fields, into: message)
        let all = added[...]
        var cursor = MboxSplitter.isEnvelope(all) ? ASCII.endOfLine(all, from: all.startIndex) : all.startIndex
        while cursor < all.endIndex {
            let next = ASCII.endOfLine(all, from: cursor)
            let blank = ASCII.content(ofLine: all[cursor..<next]).isEmpty
            cursor = next
            if blank { break }
        }
        return Array(all[..<cursor])
    }
}
