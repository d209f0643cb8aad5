/// Merge rules keyed by the pair of token ids they join: `(left, right) -> (rank, result)`.
///
/// An open-addressing table with a multiplicative hash rather than a `Dictionary`, because
/// BPE on an uncached word does a lookup for every adjacent pair on every round, and
/// `Hasher` (SipHash) costs several times more than one multiply and a probe or two.
struct PairMergeTable: Sendable {
    /// `rank << 32 | result`. Comparing two of these compares ranks first; `none` is larger than
    /// every real entry, so "lowest value" is "best merge".
    typealias Entry = UInt64
    static let none: Entry = .max

    private var keys: [UInt64]
    private var entries: [Entry]
    private let shift: UInt64
    private(set) var count = 0
    private static let emptyKey: UInt64 = .max

    init(minimumCapacity: Int) {
        // At most half full, so probe sequences stay short.
        var bits: UInt64 = 4
        while (1 << bits) < minimumCapacity * 2 { bits += 1 }
        keys = [UInt64](repeating: Self.emptyKey, count: 1 << bits)
        entries = [Entry](repeating: Self.none, count: 1 << bits)
        shift = 64 - bits
    }

    /// Adds a rule; returns false (and changes nothing) if the pair already has one.
    mutating func insert(left: UInt32, right: UInt32, rank: UInt32, result: UInt32) -> Bool {
        let key = Self.key(left, right)
        var slot = slot(for: key)
        let mask = keys.count - 1
        while keys[slot] != Self.emptyKey {
            if keys[slot] == key { return false }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        entries[slot] = UInt64(rank) << 32 | UInt64(result)
        count += 1
        return true
    }

    /// The rule for `left` followed by `right`, or `none`.
    @inline(__always)
    func lookup(_ left: UInt32, _ right: UInt32) -> Entry {
        let key = Self.key(left, right)
        return keys.withUnsafeBufferPointer { keys in
            var slot = slot(for: key)
            let mask = keys.count - 1
            while true {
                let found = keys[slot]
                if found == key { return entries[slot] }
                if found == Self.emptyKey { return Self.none }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    static func result(of entry: Entry) -> UInt32 { UInt32(truncatingIfNeeded: entry) }

    @inline(__always)
    private static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    @inline(__always)
    private func slot(for key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }
}
