extension BytePairMerger {
    /// The same merges as the short-piece loop in O(n log n): a doubly linked list of symbols
    /// and a min-heap of candidate pairs keyed by (rank, position).
    ///
    /// Popping the lowest (rank, position) merges the leftmost occurrence of the best pair
    /// first. That equals `encoder.py`'s "merge every occurrence of the best pair, left to right"
    /// because a rule's operands are always made by lower-ranked rules, so merging one
    /// occurrence never creates a pair that outranks the remaining occurrences.
    /// Heap entries are not removed when a merge invalidates them; they are recognised as stale
    /// when popped (the position is gone, or its pair no longer has that rule).
    func encodeLongPiece(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        let count = piece.count
        var symbols = piece.map { byteTokenIDs[Int($0)] }
        var next = Array(1...count)          // `count` marks the end of the list
        var previous = Array(-1..<(count - 1))
        var alive = [Bool](repeating: true, count: count)
        var heap = MinHeap()

        func pushPair(at position: Int) {
            guard position >= 0, next[position] < count else { return }
            let entry = merges.lookup(symbols[position], symbols[next[position]])
            if entry != PairMergeTable.none { heap.push(rank: entry >> 32, position: position) }
        }

        for position in 0..<(count - 1) { pushPair(at: position) }
        while let (rank, position) = heap.pop() {
            guard alive[position], next[position] < count else { continue }
            let right = next[position]
            let entry = merges.lookup(symbols[position], symbols[right])
            guard entry != PairMergeTable.none, entry >> 32 == rank else { continue }
            symbols[position] = PairMergeTable.result(of: entry)
            alive[right] = false
            next[position] = next[right]
            if next[right] < count { previous[next[right]] = position }
            pushPair(at: previous[position])
            pushPair(at: position)
        }

        var position = 0
        while position < count {
            output.append(Int(symbols[position]))
            position = next[position]
        }
    }
}

/// A binary min-heap of (rank, position), ordered by rank then position.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(rank: UInt64, position: Int) {
        items.append(rank << 32 | UInt64(position))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (rank: UInt64, position: Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < items.count else { break }
                let right = left + 1
                let smaller = right < items.count && items[right] < items[left] ? right : left
                guard items[smaller] < items[parent] else { break }
                items.swapAt(smaller, parent)
                parent = smaller
            }
        }
        return (top >> 32, Int(top & 0xFFFF_FFFF))
    }
}
