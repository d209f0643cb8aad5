/// The host a link goes to: what the model is shown after a link's text.
enum LinkHost {
    /// The lower-cased host of an http(s), ftp or scheme-relative URL, the domain of a mailto
    /// address; nil for anything else. User info is skipped, so "http://bank.example@evil.example/"
    /// gives evil.example, where it really goes.
    static func host(_ href: [Unicode.Scalar]) -> String? {
        var text = String(String.UnicodeScalarView(href)).trimmingSpaces().lowercased()
        if text.hasPrefix("mailto:") {
            text = String(text.dropFirst(7))
            guard let at = text.lastIndex(of: "@") else { return nil }
            return clean(String(text[text.index(after: at)...].prefix { $0 != "?" && $0 != ">" }))
        }
        for scheme in ["http://", "https://", "ftp://", "//"] where text.hasPrefix(scheme) {
            let authority = text.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != "\\" }
            let afterUser = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
            let host = afterUser.hasPrefix("[") ? afterUser : afterUser.prefix { $0 != ":" }
            return clean(String(host))
        }
        return nil
    }

    private static func clean(_ host: String) -> String? {
        let host = String(host.prefix(100).filter { !$0.isWhitespace })
        return host.isEmpty ? nil : host
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
