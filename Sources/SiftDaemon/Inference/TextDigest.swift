/// What the verdict cache keys a text by, instead of the text itself: a cached 1 MiB mail
/// costs 24 bytes, not a second copy.
///
/// Two SipHash values of the text's UTF-8 bytes, with the process's random seed and two
/// different prefixes, plus the byte count: 128 bits no outsider can aim a collision at (the
/// seed is secret), and by chance two of a cache's texts collide with odds of about n²/2¹²⁹.
/// Bytes, not `String` equality, because the tokenizer reads bytes: two canonically
/// equivalent texts (é precomposed or not) are different inputs to the model.
struct TextDigest: Hashable, Sendable {
    let low: Int
    let high: Int
    let byteCount: Int

    init(_ text: String) {
        var text = text
        (low, high, byteCount) = text.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            var first = Hasher()
            first.combine(0x5EED_0001 as UInt64)
            first.combine(bytes: raw)
            var second = Hasher()
            second.combine(0x5EED_0002 as UInt64)
            second.combine(bytes: raw)
            return (first.finalize(), second.finalize(), bytes.count)
        }
    }
}
