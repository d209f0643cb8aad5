import Checksum

/// What makes two messages the same message, so learning from overlapping mailboxes counts
/// each once: the Message-ID, else the content.
public enum DuplicateKey {
    /// `message-id:<id>` with the Message-ID header's value trimmed and without its angle
    /// brackets (`<a@b>` and ` a@b ` are one id; case is kept, the local part is case-sensitive);
    /// without a usable Message-ID, `sha256:<hex>` of the raw bytes.
    public static func of(_ message: [UInt8]) -> String {
        let (headers, _) = Headers.parse(message.prefix(MailText.scanLimit))
        if let value = headers["message-id"] {
            var id = value
            if let open = id.firstIndex(of: UInt8(ascii: "<")) {
                let afterOpen = id[(open + 1)...]
                id = afterOpen[..<(afterOpen.firstIndex(of: UInt8(ascii: ">")) ?? afterOpen.endIndex)]
            }
            id = ASCII.trimmed(id)
            if !id.isEmpty { return "message-id:" + String(decoding: id, as: UTF8.self) }
        }
        return "sha256:" + SHA256.hex(message)
    }
}
