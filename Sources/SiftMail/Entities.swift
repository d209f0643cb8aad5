/// HTML character references: `&name;` for the names mail really uses, `&#NNN;` and `&#xHH;`
/// for any character. An unknown or unterminated reference stays as written.
enum Entities {
    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
        "copy": "\u{A9}", "reg": "\u{AE}", "trade": "\u{2122}", "euro": "\u{20AC}", "pound": "\u{A3}",
        "yen": "\u{A5}", "cent": "\u{A2}", "sect": "\u{A7}", "deg": "\u{B0}", "plusmn": "\u{B1}",
        "times": "\u{D7}", "divide": "\u{F7}", "middot": "\u{B7}", "bull": "\u{2022}", "hellip": "\u{2026}",
        "ndash": "\u{2013}", "mdash": "\u{2014}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}",
        "rdquo": "\u{201D}", "laquo": "\u{AB}", "raquo": "\u{BB}", "iexcl": "\u{A1}", "iquest": "\u{BF}",
        "shy": "\u{AD}", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        "agrave": "\u{E0}", "aacute": "\u{E1}", "acirc": "\u{E2}", "atilde": "\u{E3}", "auml": "\u{E4}", "aring": "\u{E5}",
        "aelig": "\u{E6}", "ccedil": "\u{E7}", "egrave": "\u{E8}", "eacute": "\u{E9}", "ecirc": "\u{EA}", "euml": "\u{EB}",
        "igrave": "\u{EC}", "iacute": "\u{ED}", "icirc": "\u{EE}", "iuml": "\u{EF}", "ntilde": "\u{F1}", "ograve": "\u{F2}",
        "oacute": "\u{F3}", "ocirc": "\u{F4}", "otilde": "\u{F5}", "ouml": "\u{F6}", "oslash": "\u{F8}", "ugrave": "\u{F9}",
        "uacute": "\u{FA}", "ucirc": "\u{FB}", "uuml": "\u{FC}", "szlig": "\u{DF}", "yuml": "\u{FF}",
        "Agrave": "\u{C0}", "Aacute": "\u{C1}", "Auml": "\u{C4}", "Ccedil": "\u{C7}", "Eacute": "\u{C9}", "Ntilde": "\u{D1}",
        "Ouml": "\u{D6}", "Uuml": "\u{DC}",
    ]

    /// The reference at `start` (which holds "&"): what it stands for and the index after it.
    static func decode(_ html: [Unicode.Scalar], at start: Int) -> (Unicode.Scalar, Int) {
        var index = start + 1
        if index < html.count, html[index] == "#" {
            index += 1
            let isHex = index < html.count && (html[index] == "x" || html[index] == "X")
            if isHex { index += 1 }
            var value: UInt32 = 0
            let digitsStart = index
            while index < html.count, index - digitsStart < 8, let digit = digitValue(html[index], hex: isHex) {
                value = value * (isHex ? 16 : 10) + digit
                index += 1
            }
            guard index > digitsStart else { return ("&", start + 1) }
            if index < html.count, html[index] == ";" { index += 1 }
            // Windows-1252's 0x80–0x9F are what senders mean by those numbers.
            if value >= 0x80, value < 0xA0 { return (Charset.windows1252(UInt8(value)), index) }
            return (Unicode.Scalar(value).flatMap { $0.value == 0 ? nil : $0 } ?? "\u{FFFD}", index)
        }
        var name = String.UnicodeScalarView()
        while index < html.count, index - start <= 10, html[index].value < 128, html[index].properties.isAlphabetic || ("0"..."9").contains(html[index]) {
            name.append(html[index])
            index += 1
        }
        let key = String(name)
        guard let scalar = named[key] ?? named[key.lowercased()] else { return ("&", start + 1) }
        // The ";" is optional in practice ("&nbsp" in sloppy HTML).
        if index < html.count, html[index] == ";" { index += 1 }
        return (scalar, index)
    }

    private static func digitValue(_ scalar: Unicode.Scalar, hex: Bool) -> UInt32? {
        guard scalar.value < 128, let value = ASCII.hexValue(UInt8(scalar.value)) else { return nil }
        return hex || value < 10 ? UInt32(value) : nil
    }
}
