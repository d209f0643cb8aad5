import Foundation
import GPT2

/// Examples ready for the trainable tail: token ids after pooling's truncation/padding, label
/// rows, and the frozen prefix's output for each, computed once and reused by every epoch.
///
/// What is cached depends on what trains:
/// - `last-N-blocks`: the residual stream after the frozen blocks, every row: [Σ T, C].
/// - `head`: the pooled hidden state after `ln_f`, one row per example: [count, C].
/// - `all`: nothing (the embeddings train, so nothing before the tail is fixed).
public final class PreparedExamples: @unchecked Sendable {
    public let sequences: [[Int]]
    public let labels: [Int32]
    /// Soft targets [count, K] that replace the labels in the loss (distillation); nil: the labels.
    public let targets: [Float]?
    /// Seconds spent computing the cache.
    public let prefixSeconds: Double
    let cache: Tensor?
    /// First cache row of each example (duplicates share rows).
    let cacheRows: [Int]

    init(sequences: [[Int]], labels: [Int32], cache: Tensor?, cacheRows: [Int], prefixSeconds: Double, targets: [Float]? = nil) {
        self.sequences = sequences
        self.labels = labels
        self.targets = targets
        self.cache = cache
        self.cacheRows = cacheRows
        self.prefixSeconds = prefixSeconds
    }

    public var count: Int { sequences.count }
    public var totalTokens: Int { sequences.reduce(0) { $0 + $1.count } }

    /// Runs the frozen prefix over `examples` in packed batches of about `tokensPerBatch` tokens,
    /// calling `progress(done, total)` in examples after each batch.
    static func make(_ examples: [TokenizedExample], pooling: Pooling, frozen model: GPT2Model, trainable: TrainableSet,
                     tokensPerBatch: Int = 4096, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> PreparedExamples {
        let config = model.config
        let sequences = examples.map { pooling.prepare($0.ids, contextLength: config.contextLength) }
        let labels = examples.map { Int32($0.label) }
        let started = DispatchTime.now().uptimeNanoseconds
        let c = config.channels
        let frozenBlocks = trainable.firstTrainableBlock(layers: config.layers)
        var cache: Tensor?
        var cacheRows: [Int] = []
        if trainable.trainsEmbeddings {
            cacheRows = Array(repeating: 0, count: sequences.count)
            progress(sequences.count, sequences.count)  // nothing frozen to run
        } else {
            // Identical sequences (7% of the SMS collection, more among spam) share one computation.
            var uniqueIndex: [[Int]: Int] = [:]
            var unique: [[Int]] = []
            let exampleUnique = sequences.map { s in
                if let u = uniqueIndex[s] { return u }
                uniqueIndex[s] = unique.count
                unique.append(s)
                return unique.count - 1
            }
            // Examples per distinct sequence, so progress counts examples, not computations.
            var copies = Array(repeating: 0, count: unique.count)
            for u in exampleUnique { copies[u] += 1 }
            var examplesDone = 0
            let perExample = trainable == .head
            var uniqueRows: [Int] = []
            var rows = 0
            for s in unique {
                uniqueRows.append(rows)
                rows += perExample ? 1 : s.count
            }
            let store = Tensor(zeros: [rows, c])
            var first = 0
            while first < unique.count {
                var last = first, tokens = 0
                while last < unique.count, last == first || tokens + unique[last].count <= tokensPerBatch {
                    tokens += unique[last].count
                    last += 1
                }
                let batch = PackedBatch(sequences: Array(unique[first..<last]))
                let out = perExample ? model.forwardPooled(batch) : model.forwardPrefix(batch, layers: frozenBlocks)
                out.withUnsafeBufferPointer { o in
                    (store.pointer + uniqueRows[first] * c).update(from: o.baseAddress!, count: o.count)
                }
                examplesDone += copies[first..<last].reduce(0, +)
                progress(examplesDone, sequences.count)
                first = last
            }
            cache = store
            cacheRows = exampleUnique.map { uniqueRows[$0] }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return PreparedExamples(sequences: sequences, labels: labels, cache: cache, cacheRows: cacheRows, prefixSeconds: seconds)
    }

    /// The same examples (sharing the cache) trained toward `targets` [count, K] instead of their labels.
    public func withTargets(_ targets: [Float]) -> PreparedExamples {
        let k = count == 0 ? 0 : targets.count / count
        precondition(k > 0 ? targets.count == count * k : targets.isEmpty, "targets must be [count, K]")
        return PreparedExamples(sequences: sequences, labels: labels, cache: cache, cacheRows: cacheRows, prefixSeconds: prefixSeconds,
                                targets: targets)
    }

    /// The rows of `targets` for `indices`, or nil when the examples train on their labels.
    func targets(_ indices: [Int], k: Int) -> [Float]? {
        guard let targets else { return nil }
        return indices.flatMap { targets[($0 * k)..<(($0 + 1) * k)] }
    }

    /// The packed batch of `indices`, and the tail's input filled from the cache.
    func load(_ indices: [Int], into tail: TailModel) -> (PackedBatch, [Int32]) {
        let batch = PackedBatch(sequences: indices.map { sequences[$0] })
        tail.setBatch(batch)
        let c = tail.config.channels
        if let cache {
            let perExample = tail.trainable == .head
            for (i, e) in indices.enumerated() {
                let rows = perExample ? 1 : sequences[e].count
                let dst = tail.input.pointer + (perExample ? i : batch.start(i)) * c
                dst.update(from: cache.pointer + cacheRows[e] * c, count: rows * c)
            }
        }
        return (batch, indices.map { labels[$0] })
    }
}
