import Foundation

/// The GPT-2 transformer forward pass on packed batches.
///
/// Not reentrant: the activation buffers are shared, so calls are serialised by a lock.
/// The daemon runs one batch at a time anyway; concurrency comes from batching and BLAS threads.
public final class GPT2Model: @unchecked Sendable {
    public let weights: GPT2Weights
    public var config: GPT2Config { weights.config }
    private let ws = Workspace()
    private let lock = NSLock()

    public init(weights: GPT2Weights) {
        self.weights = weights
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
        let w = weights.blocks[layer]
        let (n, c, nh, eps) = (batch.totalTokens, config.channels, config.heads, config.layerNormEpsilon)
        LayerNorm.forward(out: ws.ln.pointer, mean: nil, rstd: nil, x: ws.x.pointer, w: w.ln1W.pointer, b: w.ln1B.pointer, n: n, c: c, eps: eps)
        Matmul.forward(out: ws.qkv.pointer, x: ws.ln.pointer, w: w.qkvW.pointer, b: w.qkvB.pointer, n: n, ic: c, oc: 3 * c)
        for i in 0..<batch.count {
            let s = batch.start(i)
            Attention.forward(out: ws.atty.pointer + s * c, ldout: c, att: ws.att.pointer, qkv: ws.qkv.pointer + s * 3 * c,
                              t: batch.length(i), c: c, nh: nh)
        }
        Matmul.forward(out: ws.x.pointer, x: ws.atty.pointer, w: w.attnProjW.pointer, b: w.attnProjB.pointer, n: n, ic: c, oc: c, accumulate: true)
        LayerNorm.forward(out: ws.ln.pointer, mean: nil, rstd: nil, x: ws.x.pointer, w: w.ln2W.pointer, b: w.ln2B.pointer, n: n, c: c, eps: eps)
        Matmul.forward(out: ws.fch.pointer, x: ws.ln.pointer, w: w.fcW.pointer, b: w.fcB.pointer, n: n, ic: c, oc: 4 * c)
        GELU.forward(out: ws.fch.pointer, x: ws.fch.pointer, count: n * 4 * c)
        Matmul.forward(out: ws.x.pointer, x: ws.fch.pointer, w: w.fcProjW.pointer, b: w.fcProjB.pointer, n: n, ic: 4 * c, oc: c, accumulate: true)
    }

    /// The last block for the pooled rows only: xp[B, C] ← block(x)[pooled rows].
    private func lastBlockForwardPooled(batch: PackedBatch) {
        let w = weights.blocks[config.layers - 1]
        let (n, p, c, nh, eps) = (batch.totalTokens, batch.count, config.channels, config.heads, config.layerNormEpsilon)
        let pooled = (0..<p).map(batch.pooledRow)
        // K, V for every row: kv[N, 2C] = ln1(x) · W[:, C..<3C] + b[C..<3C]; reuses the qkv buffer.
        let kv = ws.qkv.pointer
        LayerNorm.forward(out: ws.ln.pointer, mean: nil, rstd: nil, x: ws.x.pointer, w: w.ln1W.pointer, b: w.ln1B.pointer, n: n, c: c, eps: eps)
        Matmul.forward(out: kv, x: ws.ln.pointer, w: w.qkvW.pointer + c, b: w.qkvB.pointer + c, n: n, ic: c, oc: 2 * c, ldw: 3 * c)
        // Q for the pooled rows only: q[B, C].
        Residual.gather(dst: ws.lnp.pointer, src: ws.ln.pointer, rows: pooled, c: c)
        Matmul.forward(out: ws.qp.pointer, x: ws.lnp.pointer, w: w.qkvW.pointer, b: w.qkvB.pointer, n: p, ic: c, oc: c, ldw: 3 * c)
        for i in 0..<p {
            Attention.forwardLastQuery(out: ws.attyp.pointer + i * c, att: ws.att.pointer, q: ws.qp.pointer + i * c,
                                       kv: kv + batch.start(i) * 2 * c, ldkv: 2 * c, t: batch.length(i), c: c, nh: nh)
        }
        Residual.gather(dst: ws.xp.pointer, src: ws.x.pointer, rows: pooled, c: c)
        Matmul.forward(out: ws.xp.pointer, x: ws.attyp.pointer, w: w.attnProjW.pointer, b: w.attnProjB.pointer, n: p, ic: c, oc: c, accumulate: true)
        LayerNorm.forward(out: ws.lnp.pointer, mean: nil, rstd: nil, x: ws.xp.pointer, w: w.ln2W.pointer, b: w.ln2B.pointer, n: p, c: c, eps: eps)
        Matmul.forward(out: ws.fchp.pointer, x: ws.lnp.pointer, w: w.fcW.pointer, b: w.fcB.pointer, n: p, ic: c, oc: 4 * c)
        GELU.forward(out: ws.fchp.pointer, x: ws.fchp.pointer, count: p * 4 * c)
        Matmul.forward(out: ws.xp.pointer, x: ws.fchp.pointer, w: w.fcProjW.pointer, b: w.fcProjB.pointer, n: p, ic: 4 * c, oc: c, accumulate: true)
    }
}
