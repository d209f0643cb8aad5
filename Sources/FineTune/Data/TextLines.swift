/// Lines of a text file split at LF, with a CR before the LF dropped, so LF and CRLF files read
/// the same. (Swift's `split(separator: "\n")` would not split "\r\n": it is one Character.)
enum TextLines {
    static func split(_ text: String) -> [Substring] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? Substring(line.dropLast()) : Substring(line)
        }
    }
}
