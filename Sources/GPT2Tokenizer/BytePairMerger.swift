/// Turns one pre-tokenized piece (its UTF-8 bytes) into token ids by applying merge rules,
/// lowest rank first, exactly as OpenAI's `encoder.py` does: start from one token per byte;
/// repeatedly find the adjacent pair with the lowest rank and merge every occurrence of it,
/// left to right; stop when no adjacent pair has a rule.
struct BytePairMerger: Sendable {
    /// The token id of each single byte.
    let byteTokenIDs: [UInt32]
    let merges: PairMergeTable

    /// Pieces longer than this use the heap-based merge: the scan-every-pair loop below is
    /// quadratic, which is fastest for real words but would let one long run of letters or
    /// spaces from a client stall the daemon.
    static let longPieceThreshold = 64

    func encode(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        if piece.count > Self.longPieceThreshold {
            encodeLongPiece(piece, into: &output)
        } else {
            encodeShortPiece(piece, into: &output)
        }
    }

    func encodeShortPiece(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: piece.count) { symbols in
            let count = mergeShortPiece(piece, symbols: symbols)
            for index in 0..<count { output.append(Int(symbols[index])) }
        }
    }

    /// Merges in place in `symbols`; returns how many symbols remain.
    @inline(__always)
    private func mergeShortPiece(_ piece: UnsafeBufferPointer<UInt8>, symbols: UnsafeMutableBufferPointer<UInt32>) -> Int {
        byteTokenIDs.withUnsafeBufferPointer { byteIDs in
            for index in 0..<piece.count { symbols[index] = byteIDs[Int(piece[index])] }
        }
        var count = piece.count
        while count > 1 {
            var best = PairMergeTable.none
            var bestIndex = 0
            for index in 0..<(count - 1) {
                let entry = merges.lookup(symbols[index], symbols[index + 1])
                // Strictly lower: on a tie the leftmost occurrence is kept, and no occurrence
                // of the best pair lies to its left.
                if entry < best {
                    best = entry
                    bestIndex = index
                }
            }
            if best == PairMergeTable.none { break }
            let left = symbols[bestIndex]
            let right = symbols[bestIndex + 1]
            let merged = PairMergeTable.result(of: best)
            var read = bestIndex
            var write = bestIndex
            while read < count {
                if read + 1 < count && symbols[read] == left && symbols[read + 1] == right {
                    symbols[write] = merged
                    read += 2
                } else {
                    symbols[write] = symbols[read]
                    read += 1
                }
                write += 1
            }
            count = write
        }
        return count
    }
}
