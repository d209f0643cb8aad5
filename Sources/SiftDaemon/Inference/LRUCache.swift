/// A bounded map that forgets the least recently used entry first: lookups and inserts are
/// O(1), and it never holds more than `capacity` entries (0: holds nothing).
///
/// The recency list lives in arrays of slot indices rather than in linked objects, so a full
/// cache allocates nothing per insert and costs no reference counting per lookup.
struct LRUCache<Key: Hashable, Value> {
    private struct Slot {
        var key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    private var slots: [Slot] = []
    private var index: [Key: Int] = [:]
    private var newest: Int?
    private var oldest: Int?
    private(set) var capacity: Int

    init(capacity: Int) {
        precondition(capacity >= 0)
        self.capacity = capacity
    }

    var count: Int { index.count }

    /// The value for `key`, which becomes the most recently used.
    mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToNewest(slot)
        return slots[slot].value
    }

    /// Sets `key`'s value and makes it the most recently used; when full, the least recently
    /// used entry makes room.
    mutating func set(_ value: Value, for key: Key) {
        guard capacity > 0 else { return }
        if let slot = index[key] {
            slots[slot].value = value
            moveToNewest(slot)
            return
        }
        let slot: Int
        if slots.count < capacity {
            slot = slots.count
            slots.append(Slot(key: key, value: value))
        } else {
            // Reuse the oldest entry's slot.
            slot = oldest!
            unlink(slot)
            index[slots[slot].key] = nil
            slots[slot] = Slot(key: key, value: value)
        }
        index[key] = slot
        linkAsNewest(slot)
    }

    mutating func removeAll() {
        slots = []
        index = [:]
        newest = nil
        oldest = nil
    }

    /// Keeps the `capacity` most recently used entries.
    mutating func resize(to capacity: Int) {
        precondition(capacity >= 0)
        guard capacity != self.capacity else { return }
        var kept: [(Key, Value)] = []
        var slot = newest
        while let current = slot, kept.count < capacity {
            kept.append((slots[current].key, slots[current].value))
            slot = slots[current].older
        }
        removeAll()
        self.capacity = capacity
        for (key, value) in kept.reversed() { set(value, for: key) }
    }

    /// Keys from the most to the least recently used (for tests and debugging).
    var keysByRecency: [Key] {
        var keys: [Key] = []
        var slot = newest
        while let current = slot {
            keys.append(slots[current].key)
            slot = slots[current].older
        }
        return keys
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (slots[slot].newer, slots[slot].older)
        if let newer { slots[newer].older = older } else { newest = older }
        if let older { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = nil
        slots[slot].older = nil
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = nil
        if let newest { slots[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }
}
