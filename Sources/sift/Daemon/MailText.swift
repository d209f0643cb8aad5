import Foundation

/// "Subject + text body" of a raw RFC 822 message, the text `bench learning` classifies.
///
/// A short approximation, not a MIME parser: headers up to the first blank line (continuation
/// lines unfolded); the body is the first `text/plain` part of a multipart message (nested
/// multiparts included), else its first `text/html` part with the tags stripped, or the whole
/// body of a single-part one; quoted-printable and base64 are decoded; bytes that are not
/// UTF-8 are read as Latin-1 (charsets are not looked at); encoded words (`=?…?=`) stay as sent.
enum MailText {
    /// The result is cut to this many characters.
    static let limit = 2000

    static func extract(contentsOf url: URL) throws -> String {
        extract([UInt8](try Data(contentsOf: url)))
    }

    static func extract(_ raw: [UInt8]) -> String {
        // Every byte as the scalar of the same value (CRs dropped), so splitting works on text
        // and a part's bytes come back unchanged for decoding.
        let message = Part(Substring(latin1(raw.filter { $0 != 13 })))
        let leaves = message.leaves()
        let body = leaves.first { $0.contentType == "text/plain" } ?? leaves.first { $0.contentType == "text/html" }
            ?? (message.contentType.hasPrefix("multipart/") ? nil : message)
        let subject = text(bytes(of: message.headers["subject"] ?? ""))
        let result = collapse(subject) + "\n" + collapse(body?.decodedText ?? "")
        return String(result.prefix(limit))
    }

    /// One entity: its headers (lower-cased names, first occurrence wins) and its raw body.
    private struct Part {
        var headers: [String: String] = [:]
        var body: Substring = ""

        init(_ text: Substring) {
            var head = text
            if text.hasPrefix("\n") {
                head = ""
                body = text.dropFirst()
            } else if let blank = text.range(of: "\n\n") {
                head = text[..<blank.lowerBound]
                body = text[blank.upperBound...]
            }
            var lines: [String] = []
            for line in head.split(separator: "\n") {
                if line.first == " " || line.first == "\t", !lines.isEmpty {
                    lines[lines.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
                } else {
                    lines.append(String(line))
                }
            }
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                if headers[name] == nil { headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
            }
        }

        /// The media type, lower-cased, without parameters; text/plain when absent.
        var contentType: String {
            let value = headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            return value.flatMap { $0.isEmpty ? nil : $0 } ?? "text/plain"
        }

        var boundary: String? {
            for parameter in (headers["content-type"] ?? "").split(separator: ";").dropFirst() {
                let trimmed = parameter.trimmingCharacters(in: .whitespaces)
                guard trimmed.lowercased().hasPrefix("boundary=") else { continue }
                return trimmed.dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return nil
        }

        /// The non-multipart parts, depth first; a single-part entity is its own leaf.
        func leaves() -> [Part] {
            guard contentType.hasPrefix("multipart/"), let boundary, !boundary.isEmpty else { return [self] }
            let delimiter = "--" + boundary
            var parts: [Part] = []
            var current: [Substring]?  // nil before the first delimiter (the preamble)
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                guard line.hasPrefix(delimiter) else {
                    current?.append(line)
                    continue
                }
                if let current { parts.append(Part(Substring(current.joined(separator: "\n")))) }
                if line.hasPrefix(delimiter + "--") {
                    current = nil
                    break
                }
                current = []
            }
            if let current { parts.append(Part(Substring(current.joined(separator: "\n")))) }
            return parts.flatMap { $0.leaves() }
        }

        /// The body decoded (transfer encoding, then UTF-8 or Latin-1); HTML without its tags.
        var decodedText: String {
            let raw = bytes(of: body)
            let decoded = switch headers["content-transfer-encoding"]?.lowercased() {
            case "quoted-printable": quotedPrintable(raw)
            case "base64": base64(raw)
            default: raw
            }
            return contentType == "text/html" ? stripHTML(text(decoded)) : text(decoded)
        }
    }

    private static func latin1(_ bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    private static func bytes(of latin1Text: some StringProtocol) -> [UInt8] {
        latin1Text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }

    private static func text(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? latin1(bytes)
    }

    private static func quotedPrintable(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            let next = input[(index + 1)..<min(input.count, index + 3)]
            if input[index] == UInt8(ascii: "="), next.first == 10 {  // a soft line break
                index += 2
            } else if input[index] == UInt8(ascii: "="), next.count == 2, let value = UInt8(String(decoding: next, as: UTF8.self), radix: 16) {
                output.append(value)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }

    private static func base64(_ input: [UInt8]) -> [UInt8] {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var clean = String(decoding: input.filter(alphabet.contains), as: UTF8.self)
        if clean.count % 4 == 1 { clean.removeLast() }
        clean += String(repeating: "=", count: (4 - clean.count % 4) % 4)
        return Data(base64Encoded: clean).map { [UInt8]($0) } ?? []
    }

    /// Tags, comments, `<style>` and `<script>` blocks become spaces; five entities are decoded.
    private static func stripHTML(_ html: String) -> String {
        var output = ""
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            output += rest[..<open] + " "
            let tag = rest[open...]
            let start = tag.prefix(8).lowercased()
            let close = start.hasPrefix("<!--") ? "-->" : start.hasPrefix("<style") ? "</style>" : start.hasPrefix("<script") ? "</script>" : ">"
            guard let end = tag.range(of: close, options: .caseInsensitive) else { return decodeEntities(output) }
            rest = tag[end.upperBound...]
        }
        return decodeEntities(output + rest)
    }

    private static func decodeEntities(_ text: String) -> String {
        [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&amp;", "&")].reduce(text) { text, entity in
            text.replacingOccurrences(of: entity.0, with: entity.1, options: .caseInsensitive)
        }
    }

    private static func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
