/// The parts of a From header the model text shows: the display name and the address's domain.
///
/// Reads the common forms: `Name <user@domain>`, `"Name" <user@domain>`, `user@domain (Name)`
/// and a bare `user@domain`, with encoded words in the name. The structure is found on the raw
/// bytes first, so an encoded word that decodes to "<" cannot move the address.
struct Sender {
    var displayName: [Unicode.Scalar] = []
    var domain: [Unicode.Scalar] = []

    init() {}

    init(_ value: ArraySlice<UInt8>) {
        var name: ArraySlice<UInt8> = []
        var address = value
        if let open = value.lastIndex(of: UInt8(ascii: "<")) {
            name = value[value.startIndex..<open]
            let close = value[open...].firstIndex(of: UInt8(ascii: ">")) ?? value.endIndex
            address = value[(open + 1)..<close]
        } else if let open = value.firstIndex(of: UInt8(ascii: "(")) {
            let close = value[open...].firstIndex(of: UInt8(ascii: ")")) ?? value.endIndex
            name = value[(open + 1)..<close]
            address = value[value.startIndex..<open]
        }
        displayName = Self.unquoted(EncodedWords.decode(ASCII.trimmed(name)))
        if let at = address.lastIndex(of: UInt8(ascii: "@")) {
            let host = ASCII.trimmed(address[(at + 1)...]).prefix { !ASCII.isSpace($0) && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: ",") }
            domain = Charset.utf8.decode(host.map(ASCII.lower)[...])
        }
    }

    /// Without surrounding quotes and backslash escapes; white space trimmed.
    private static func unquoted(_ name: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        var escaped = false
        for scalar in name {
            if escaped { result.append(scalar); escaped = false; continue }
            if scalar == "\\" { escaped = true; continue }
            if scalar == "\"" { continue }
            result.append(scalar)
        }
        while let first = result.first, first.properties.isWhitespace || first == "'" { result.removeFirst() }
        while let last = result.last, last.properties.isWhitespace || last == "'" { result.removeLast() }
        return result
    }
}
