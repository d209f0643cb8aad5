/// The token ids of several sequences laid end to end, so every GEMM of a batch runs on one
/// `[sum T, C]` matrix with no padding; only attention looks at sequence boundaries.
public struct PackedBatch: Sendable {
    public private(set) var tokens: [Int32] = []
    public private(set) var positions: [Int32] = []
    /// offsets[i]..<offsets[i+1] are the rows of sequence i.
    public private(set) var offsets: [Int] = [0]

    public init(sequences: [[Int]]) {
        for s in sequences { append(s) }
    }

    public mutating func append(_ ids: [Int]) {
        precondition(!ids.isEmpty, "a sequence needs at least one token")
        for (p, id) in ids.enumerated() {
            tokens.append(Int32(id))
            positions.append(Int32(p))
        }
        offsets.append(tokens.count)
    }

    public var count: Int { offsets.count - 1 }
    public var totalTokens: Int { tokens.count }
    public var maxLength: Int { (0..<count).map(length).max() ?? 0 }
    public func start(_ i: Int) -> Int { offsets[i] }
    public func length(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }
    /// The row read by the classifier: each sequence's last row (see `Pooling.prepare`).
    public func pooledRow(_ i: Int) -> Int { offsets[i + 1] - 1 }
}

extension PackedBatch {
    /// Where each sequence's attention scores start when all are kept side by side:
    /// Σ_{j<i} NH·T_j² (NH·T_j with `lastQueryOnly`, one query row per sequence).
    package func attentionOffsets(heads nh: Int, lastQueryOnly: Bool = false) -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(count)
        var offset = 0
        for i in 0..<count {
            offsets.append(offset)
            offset += nh * length(i) * (lastQueryOnly ? 1 : length(i))
        }
        return offsets
    }
}
