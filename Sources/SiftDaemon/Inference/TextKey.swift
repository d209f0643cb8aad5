/// A text as the batcher's tables key it: hashed once on arrival, so a 1 MiB text costs one
/// pass over its bytes, not one per table lookup (and the lookups happen under the lock every
/// connection's classify takes).
struct TextKey: Hashable, Sendable {
    let text: String
    let hash: Int

    init(_ text: String) {
        self.text = text
        var hasher = Hasher()
        hasher.combine(text)
        hash = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (a: TextKey, b: TextKey) -> Bool { a.hash == b.hash && a.text == b.text }
}
