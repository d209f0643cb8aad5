import Foundation

/// The GPT-2 transformer forward pass on packed batches.
///
/// Not reentrant: the activation buffers are shared, so calls are serialised by a lock.
/// The daemon runs one batch at a time anyway; concurrency comes from batching and BLAS threads.
public final class GPT2Model: @unchecked Sendable {
    public let weights: GPT2Weights
    public var config: GPT2Config { weights.config }
    /// What the packed blocks compute in (fp32 when none is packed).
    public var precision: Precision { weights.blocks.lazy.compactMap(\.packed).first?.precision ?? .fp32 }
    private let ws = Workspace()
    private let lock = NSLock()

    public init(weights: GPT2Weights) {
        self.weights = weights
    }

    /// A model whose blocks `frozen` compute in `precision` (the others, and everything around
    /// the blocks, in fp32). Packing reads each weight once; a mapped weight's pages are then
    /// released, so the fp32 copies of frozen blocks stop counting in the process's memory.
    public convenience init(weights: GPT2Weights, precision: Precision, frozen: Range<Int>) throws {
        var packed = weights
        if precision != .fp32 {
            for layer in frozen.clamped(to: 0..<weights.config.layers) {
                packed.blocks[layer].packed = try PackedBlock(weights.blocks[layer], precision: precision)
            }
        }
        self.init(weights: packed)
    }

    /// Hidden states after `ln_f` of each sequence's last row: [B, C].
    /// In the last block only what that row needs is computed (K and V for all rows).
    public func forwardPooled(_ batch: PackedBatch) -> [Float] {
        lock.withLock {
            let c = config.channels
            prepare(batch)
            embed(batch)
            for layer in 0..<(config.layers - 1) { blockForward(layer: layer, batch: batch) }
            lastBlockForwardPooled(batch: batch)
            var out = [Float](repeating: 0, count: batch.count * c)
            out.withUnsafeMutableBufferPointer { o in
                LayerNorm.forward(out: o.baseAddress!, mean: nil, rstd: nil, x: ws.xp.pointer, w: weights.lnfW.pointer,
                                  b: weights.lnfB.pointer, n: batch.count, c: c, eps: config.layerNormEpsilon)
            }
            return out
        }
    }

    /// Hidden states after `ln_f` for every row: [N, C]. No shortcuts; for checks and tools.
    public func forwardAll(_ batch: PackedBatch) -> [Float] {
        lock.withLock {
            let c = config.channels
            prepare(batch)
            embed(batch)
            for layer in 0..<config.layers { blockForward(layer: layer, batch: batch) }
            var out = [Float](repeating: 0, count: batch.totalTokens * c)
            out.withUnsafeMutableBufferPointer { o in
                LayerNorm.forward(out: o.baseAddress!, mean: nil, rstd: nil, x: ws.x.pointer, w: weights.lnfW.pointer,
                                  b: weights.lnfB.pointer, n: batch.totalTokens, c: c, eps: config.layerNormEpsilon)
            }
            return out
        }
    }

    /// The residual stream after the first `layers` blocks, every row: [N, C].
    /// This is what a frozen prefix produces; training computes it once and caches it.
    public func forwardPrefix(_ batch: PackedBatch, layers: Int) -> [Float] {
        precondition(layers >= 0 && layers <= config.layers)
        return lock.withLock {
            prepare(batch)
            embed(batch)
            for layer in 0..<layers { blockForward(layer: layer, batch: batch) }
            return Array(UnsafeBufferPointer(start: ws.x.pointer, count: batch.totalTokens * config.channels))
        }
    }

    /// oneDNN threads of this model's packed blocks, when they should differ from the process's
    /// (``ComputeThreads``): a trainer's prefix cache runs on the trainer's threads.
    public func setPackedThreads(_ count: Int?) {
        lock.withLock { ws.reduced.threads = count.map { max(1, $0) } }
    }

    // MARK: - Steps

    private func prepare(_ batch: PackedBatch) {
        for i in 0..<batch.count where batch.length(i) > config.contextLength {
            preconditionFailure("sequence \(i) has \(batch.length(i)) tokens, over the context of \(config.contextLength); use Pooling.prepare")
        }
        ws.reserve(config: config, rows: batch.totalTokens, sequences: batch.count, maxLength: batch.maxLength)
    }

    private func embed(_ batch: PackedBatch) {
        batch.tokens.withUnsafeBufferPointer { tokens in
            batch.positions.withUnsafeBufferPointer { positions in
                Encoder.forward(out: ws.x.pointer, tokens: tokens.baseAddress!, positions: positions.baseAddress!,
                                n: batch.totalTokens, wte: weights.wte.pointer, wpe: weights.wpe.pointer, c: config.channels)
            }
        }
    }

    /// x[N, C] ← block(x), in place.
    private func blockForward(layer: Int, batch: PackedBatch) {
        TransformerBlock.forward(x: ws.x.pointer, weights: weights.blocks[layer], batch: batch, config: config, scratch: ws)
    }

    /// The last block for the pooled rows only: xp[B, C] ← block(x)[pooled rows].
    private func lastBlockForwardPooled(batch: PackedBatch) {
        PooledLastBlock.forward(x: ws.x.pointer, weights: weights.blocks[config.layers - 1], batch: batch, config: config, scratch: ws)
    }
}
