/// HTML to the text a reader sees, written into a ``TextBuilder``.
///
/// Not a DOM parser: one pass over the characters. Tags go; `<script>`, `<style>` and
/// comments go with their content; block tags (p, div, br, li, tr, headings…) start a new
/// line, inline tags (b, font, span…) join the text on either side, because spam splits
/// words with them ("V<b></b>iagra"). Entities are decoded (the common named ones and every
/// numeric one). A link keeps its text and gets its host after it, as in
/// "click here [evil.example]": where a link really goes is the strongest word in it.
enum HTMLText {
    static func append(_ html: [Unicode.Scalar], to builder: inout TextBuilder) {
        var index = 0
        var linkHost: String?
        while index < html.count, !builder.isFull {
            let scalar = html[index]
            if scalar == "&" {
                let (decoded, next) = Entities.decode(html, at: index)
                builder.append(decoded)
                index = next
                continue
            }
            guard scalar == "<", index + 1 < html.count, startsMarkup(html[index + 1]) else {
                builder.append(scalar)
                index += 1
                continue
            }
            if matches(html, at: index, "<!--") {
                index = find(html, "-->", from: index + 4).map { $0 + 3 } ?? html.count
                continue
            }
            let tag = Tag(html, at: index)
            index = tag.end
            switch tag.name {
            case "script", "style", "title":
                // Skip to the matching close tag (or the end: an unclosed script hides the rest).
                if !tag.isClosing {
                    index = find(html, "</" + tag.name, from: index, caseInsensitive: true).map { Tag(html, at: $0).end } ?? html.count
                }
            case "a":
                if tag.isClosing {
                    if let host = linkHost { builder.append(" [" + host + "]") }
                    linkHost = nil
                } else {
                    linkHost = tag.attribute("href", in: html).flatMap(LinkHost.host)
                }
            case "br", "p", "div", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "pre", "center", "form", "dt", "dd":
                builder.breakLine()
            case "td", "th", "img", "input", "option":
                builder.append(" ")
            default:
                break
            }
        }
    }

    /// What may follow "<" for it to be markup rather than a literal "<" ("a < b").
    private static func startsMarkup(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "/" || scalar == "!" || scalar == "?" || (scalar.value < 128 && scalar.properties.isAlphabetic)
    }

    static func matches(_ html: [Unicode.Scalar], at index: Int, _ text: String, caseInsensitive: Bool = false) -> Bool {
        var position = index
        for expected in text.unicodeScalars {
            guard position < html.count else { return false }
            var actual = html[position].value
            if caseInsensitive, actual >= 65, actual <= 90 { actual |= 0x20 }
            if actual != expected.value { return false }
            position += 1
        }
        return true
    }

    static func find(_ html: [Unicode.Scalar], _ text: String, from start: Int, caseInsensitive: Bool = false) -> Int? {
        guard let first = text.unicodeScalars.first else { return nil }
        var index = start
        while index < html.count {
            var value = html[index].value
            if caseInsensitive, value >= 65, value <= 90 { value |= 0x20 }
            if value == first.value, matches(html, at: index, text, caseInsensitive: caseInsensitive) { return index }
            index += 1
        }
        return nil
    }
}

/// One tag: its lower-cased name, whether it closes, where its attributes are and where it ends.
struct Tag {
    var name = ""
    var isClosing = false
    var attributes: Range<Int>
    var end: Int

    init(_ html: [Unicode.Scalar], at start: Int) {
        var index = start + 1
        if index < html.count, html[index] == "/" {
            isClosing = true
            index += 1
        }
        var name = String.UnicodeScalarView()
        while index < html.count, html[index].value < 128, html[index].properties.isAlphabetic || ("0"..."9").contains(html[index]) {
            name.append(Unicode.Scalar(UInt8(truncatingIfNeeded: html[index].value) | (html[index].value >= 65 && html[index].value <= 90 ? 0x20 : 0)))
            index += 1
        }
        self.name = String(name)
        // The end: the first ">" outside a quoted attribute value.
        var cursor = index
        var quote: Unicode.Scalar?
        while cursor < html.count {
            let scalar = html[cursor]
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == ">" {
                break
            }
            cursor += 1
        }
        attributes = index..<cursor
        end = min(cursor + 1, html.count)
    }

    /// The value of attribute `name` (lower-case), without quotes.
    func attribute(_ name: String, in html: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        var index = attributes.lowerBound
        while index < attributes.upperBound {
            while index < attributes.upperBound, html[index].properties.isWhitespace || html[index] == "/" { index += 1 }
            let nameStart = index
            while index < attributes.upperBound, !html[index].properties.isWhitespace, html[index] != "=", html[index] != ">" { index += 1 }
            let isWanted = index - nameStart == name.unicodeScalars.count && HTMLText.matches(html, at: nameStart, name, caseInsensitive: true)
            while index < attributes.upperBound, html[index].properties.isWhitespace { index += 1 }
            guard index < attributes.upperBound, html[index] == "=" else { continue }
            index += 1
            while index < attributes.upperBound, html[index].properties.isWhitespace { index += 1 }
            var valueStart = index, valueEnd = index
            if index < attributes.upperBound, html[index] == "\"" || html[index] == "'" {
                let quote = html[index]
                valueStart = index + 1
                valueEnd = valueStart
                while valueEnd < attributes.upperBound, html[valueEnd] != quote { valueEnd += 1 }
                index = min(valueEnd + 1, attributes.upperBound)
            } else {
                while valueEnd < attributes.upperBound, !html[valueEnd].properties.isWhitespace { valueEnd += 1 }
                index = valueEnd
            }
            if isWanted { return Array(html[valueStart..<valueEnd]) }
        }
        return nil
    }
}
