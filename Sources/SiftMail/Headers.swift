/// The header section of a message or MIME part (RFC 5322 §2.2): fields in order, folded
/// lines unfolded, names lower-cased. Values stay bytes: their charset is only known once
/// encoded words are decoded (``EncodedWords``).
struct Headers {
    struct Field {
        var name: String
        var value: ArraySlice<UInt8>
    }

    private(set) var fields: [Field] = []

    /// The value of the first field called `name` (lower-case), trimmed.
    subscript(name: String) -> ArraySlice<UInt8>? {
        fields.first { $0.name == name }.map { ASCII.trimmed($0.value) }
    }

    /// Splits `entity` into its headers and its body.
    ///
    /// The header section ends at the first empty line (LF, CRLF or mixed line ends). A first
    /// line that is not a field (no name before a colon) means there are no headers at all and
    /// everything is body, so junk and bare text still give text. An mbox `From ` line first is
    /// skipped. Lines in the section that are not fields are ignored.
    static func parse(_ entity: ArraySlice<UInt8>) -> (headers: Headers, body: ArraySlice<UInt8>) {
        var headers = Headers()
        var cursor = entity.startIndex
        if ASCII.hasPrefix(entity, lowercased: Array("from ".utf8)) { cursor = ASCII.endOfLine(entity, from: cursor) }
        if cursor < entity.endIndex, fieldNameEnd(ASCII.content(ofLine: entity[cursor..<ASCII.endOfLine(entity, from: cursor)])) == nil,
           !isBlank(entity[cursor..<ASCII.endOfLine(entity, from: cursor)]) {
            return (headers, entity[cursor...])
        }
        var current: (name: String, value: [UInt8])?
        func finish() {
            if let field = current { headers.fields.append(Field(name: field.name, value: field.value[...])) }
            current = nil
        }
        while cursor < entity.endIndex {
            let next = ASCII.endOfLine(entity, from: cursor)
            let line = ASCII.content(ofLine: entity[cursor..<next])
            cursor = next
            if line.isEmpty { break }  // the blank line that ends the section
            if line.first == ASCII.space || line.first == ASCII.tab {
                // Unfolding (RFC 5322 §2.2.3): the line end goes, the white space stays.
                current?.value.append(contentsOf: line)
                continue
            }
            finish()
            guard let colon = fieldNameEnd(line) else { continue }
            let name = ASCII.lowercasedString(ASCII.trimmed(line[line.startIndex..<colon]))
            current = (name, Array(line[(colon + 1)...]))
        }
        finish()
        return (headers, entity[cursor...])
    }

    /// Whether `line` (a line end allowed) is a header field, `Name: value`: how mail starts.
    static func isField(_ line: ArraySlice<UInt8>) -> Bool {
        fieldNameEnd(ASCII.content(ofLine: line)) != nil
    }

    /// The index of the colon that ends a field name: printable ASCII without spaces inside.
    private static func fieldNameEnd(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if byte == ASCII.colon { return index > line.startIndex ? index : nil }
            if byte <= 32 || byte >= 127 {
                // Tolerate "Name :" (space before the colon), nothing else.
                var rest = index
                while rest < line.endIndex, line[rest] == ASCII.space || line[rest] == ASCII.tab { rest += 1 }
                return rest < line.endIndex && line[rest] == ASCII.colon && index > line.startIndex ? rest : nil
            }
            index += 1
        }
        return nil
    }

    private static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        ASCII.trimmed(line).isEmpty
    }
}

/// A structured header value such as `text/plain; charset="utf-8"` (RFC 2045 §5.1): the
/// lower-cased value before the first `;`, and the parameters, names lower-cased, quotes removed.
struct HeaderValue {
    var value: String = ""
    var parameters: [(name: String, value: ArraySlice<UInt8>)] = []

    init(_ bytes: ArraySlice<UInt8>?) {
        guard let bytes else { return }
        var cursor = bytes.startIndex
        while cursor < bytes.endIndex, bytes[cursor] != ASCII.semicolon { cursor += 1 }
        value = ASCII.lowercasedString(ASCII.trimmed(bytes[bytes.startIndex..<cursor]))
        while cursor < bytes.endIndex {
            cursor += 1  // past the ';'
            var nameEnd = cursor
            while nameEnd < bytes.endIndex, bytes[nameEnd] != ASCII.equals, bytes[nameEnd] != ASCII.semicolon { nameEnd += 1 }
            guard nameEnd < bytes.endIndex, bytes[nameEnd] == ASCII.equals else { cursor = nameEnd; continue }
            let name = ASCII.lowercasedString(ASCII.trimmed(bytes[cursor..<nameEnd]))
            var start = nameEnd + 1
            while start < bytes.endIndex, ASCII.isSpace(bytes[start]) { start += 1 }
            var end = start
            if start < bytes.endIndex, bytes[start] == ASCII.quote {
                start += 1
                end = start
                while end < bytes.endIndex, bytes[end] != ASCII.quote { end += 1 }
                parameters.append((name, bytes[start..<end]))
                cursor = end
                while cursor < bytes.endIndex, bytes[cursor] != ASCII.semicolon { cursor += 1 }
            } else {
                while end < bytes.endIndex, bytes[end] != ASCII.semicolon { end += 1 }
                parameters.append((name, ASCII.trimmed(bytes[start..<end])))
                cursor = end
            }
        }
    }

    /// The first parameter called `name` (lower-case).
    subscript(name: String) -> ArraySlice<UInt8>? {
        parameters.first { $0.name == name }?.value
    }
}
