import Synchronization

/// Token ids of pieces already encoded, shared by every task that uses the tokenizer.
///
/// Real text repeats a small set of words, so after warm-up most pieces skip BPE entirely.
/// One lock around a dictionary: a lookup holds it for tens of nanoseconds, and the merge work
/// on a miss happens outside it. The cache is bounded (it starts over when full, and long
/// pieces are never stored) so that a daemon fed arbitrary text keeps a fixed footprint.
final class WordCache: Sendable {
    static let maximumEntries = 1 << 16
    static let maximumPieceLength = 128

    private let storage = Mutex<[WordKey: [Int]]>([:])

    func ids(for key: WordKey) -> [Int]? {
        storage.withLock { $0[key] }
    }

    func store(_ ids: [Int], for key: WordKey) {
        storage.withLock { cache in
            if cache.count >= Self.maximumEntries { cache.removeAll(keepingCapacity: true) }
            cache[key] = ids
        }
    }

    func removeAll() {
        storage.withLock { $0.removeAll() }
    }

    var count: Int { storage.withLock { $0.count } }
}

/// A piece's exact bytes as a dictionary key.
///
/// Not `String`: Swift compares strings by canonical equivalence, so "é" and "e\u{301}" would
/// share an entry although their bytes, and so their tokens, differ. The first 16 bytes are
/// held inline so that typical words hash and compare without touching the heap.
struct WordKey: Hashable, Sendable {
    private var head: (UInt64, UInt64) = (0, 0)
    private let count: Int
    private var tail: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        count = bytes.count
        let headCount = min(bytes.count, 16)
        withUnsafeMutableBytes(of: &head) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[0..<headCount]))
        }
        if bytes.count > 16 { tail = Array(bytes[16...]) }
    }

    static func == (lhs: WordKey, rhs: WordKey) -> Bool {
        lhs.count == rhs.count && lhs.head == rhs.head && lhs.tail == rhs.tail
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(head.0)
        hasher.combine(head.1)
        hasher.combine(count)
        if !tail.isEmpty { tail.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }
}
