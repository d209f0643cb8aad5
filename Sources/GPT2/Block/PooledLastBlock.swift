/// The last transformer block for the pooled rows only (each sequence's last row, the one the
/// classifier reads): every row needs ln_1 and, for attention, K and V; only the pooled rows need
/// Q, the attention output, c_proj and the MLP. out [B, C] = block(x)[pooled rows].
///
/// One forward for serving and training, as `TransformerBlock`. A training step may fold K and V
/// into the queries instead (`PooledAttention`: the same function, far fewer flops, different
/// rounding), so serving and evaluation keep the explicit K,V path and agree bit for bit.
/// Backward (of the folded path): `TailModel.lastBlockBackward` in FineTune.
package enum PooledLastBlock {
    /// How attention gets the keys and values of every row.
    enum KeysAndValues {
        /// kv [N, 2C] = ln_1(x) · c_attn's K,V columns, then `Attention.forwardLastQuery` per sequence.
        /// Scores: sequence i's [NH, T] at att + attOffsets[i], or all at att when there are no offsets.
        case explicit(kv: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, attOffsets: [Int]?)
        /// Folded into the queries (`PooledAttention`), saving r, m [B, NH, C] and the scores [N, NH].
        case folded(r: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>)
    }

    /// Where each step writes.
    struct Buffers {
        var ln1: UnsafeMutablePointer<Float>            // [N, C]
        var mean1, rstd1: UnsafeMutablePointer<Float>?  // [N] ln_1's statistics, for backward
        var keysAndValues: KeysAndValues
        var lnPooled: UnsafeMutablePointer<Float>       // [B, C] ln_1 of the pooled rows
        var q: UnsafeMutablePointer<Float>              // [B, C] their queries
        var atty: UnsafeMutablePointer<Float>           // [B, C] their attention output
        var r1: UnsafeMutablePointer<Float>             // [B, C] residual after attention
        var mlp: ResidualMLP.Buffers                    // B rows; out is the block's output
    }

    /// Serving: ws.xp [B, C] ← block(x [N, C]) at the pooled rows. Overwrites x's scratch but not x.
    static func forward(x: UnsafePointer<Float>, weights: BlockWeights, batch: PackedBatch, config: GPT2Config, scratch ws: Workspace) {
        // lnp holds ln_1 of the pooled rows until their queries are made, then ln_2.
        let mlp = ResidualMLP.Buffers(ln2: ws.lnp.pointer, mean2: nil, rstd2: nil, fch: ws.fchp.pointer, fchGelu: ws.fchp.pointer,
                                      out: ws.xp.pointer)
        forward(x: x, weights: weights, batch: batch, config: config,
                into: Buffers(ln1: ws.ln.pointer, mean1: nil, rstd1: nil,
                              keysAndValues: .explicit(kv: ws.qkv.pointer, att: ws.att.pointer, attOffsets: nil),
                              lnPooled: ws.lnp.pointer, q: ws.qp.pointer, atty: ws.attyp.pointer, r1: ws.xp.pointer, mlp: mlp))
    }

    /// Training: a.out [B, C] ← block(x [N, C]) at the pooled rows, keeping x (as a.input) and every
    /// step in `a`. `folded` takes `PooledAttention` (a training step), else the serving path (evaluation).
    package static func forward(x: UnsafePointer<Float>, weights: BlockWeights, batch: PackedBatch, config: GPT2Config,
                                folded: Bool, saving a: PooledBlockActivations) {
        a.input = x
        a.folded = folded
        let keysAndValues: KeysAndValues
        if folded {
            keysAndValues = .folded(r: a.r.pointer, m: a.m.pointer, att: a.attRows.pointer)
        } else {
            a.attOffsets = batch.attentionOffsets(heads: config.heads, lastQueryOnly: true)
            keysAndValues = .explicit(kv: a.kv.pointer, att: a.att.pointer, attOffsets: a.attOffsets)
        }
        forward(x: x, weights: weights, batch: batch, config: config,
                into: Buffers(ln1: a.ln1.pointer, mean1: a.mean1.pointer, rstd1: a.rstd1.pointer, keysAndValues: keysAndValues,
                              lnPooled: a.lnPooled.pointer, q: a.q.pointer, atty: a.atty.pointer, r1: a.r1.pointer, mlp: a.mlp.buffers))
    }

    private static func forward(x: UnsafePointer<Float>, weights w: BlockWeights, batch: PackedBatch, config: GPT2Config, into b: Buffers) {
        let (n, p, c, nh) = (batch.totalTokens, batch.count, config.channels, config.heads)
        let pooled = (0..<p).map(batch.pooledRow)
        LayerNorm.forward(out: b.ln1, mean: b.mean1, rstd: b.rstd1, x: x, w: w.ln1W.pointer, b: w.ln1B.pointer, n: n, c: c,
                          eps: config.layerNormEpsilon)
        if case .explicit(let kv, _, _) = b.keysAndValues {
            Matmul.forward(out: kv, x: b.ln1, w: w.qkvW.pointer + c, b: w.qkvB.pointer + c, n: n, ic: c, oc: 2 * c, ldw: 3 * c)
        }
        // q [B, C] = ln_1(x)[pooled] · c_attn's Q columns
        Residual.gather(dst: b.lnPooled, src: b.ln1, rows: pooled, c: c)
        Matmul.forward(out: b.q, x: b.lnPooled, w: w.qkvW.pointer, b: w.qkvB.pointer, n: p, ic: c, oc: c, ldw: 3 * c)
        switch b.keysAndValues {
        case .explicit(let kv, let att, let attOffsets):
            for i in 0..<p {
                Attention.forwardLastQuery(out: b.atty + i * c, att: att + (attOffsets?[i] ?? 0), q: b.q + i * c,
                                           kv: kv + batch.start(i) * 2 * c, ldkv: 2 * c, t: batch.length(i), c: c, nh: nh)
            }
        case .folded(let r, let m, let att):
            PooledAttention.forward(out: b.atty, r: r, m: m, att: att, x: b.ln1, q: b.q, wk: w.qkvW.pointer + c, wv: w.qkvW.pointer + 2 * c,
                                    bv: w.qkvB.pointer + 2 * c, ldw: 3 * c, starts: (0..<p).map(batch.start),
                                    lengths: (0..<p).map(batch.length), c: c, nh: nh)
        }
        Residual.gather(dst: b.r1, src: x, rows: pooled, c: c)
        Matmul.forward(out: b.r1, x: b.atty, w: w.attnProjW.pointer, b: w.attnProjB.pointer, n: p, ic: c, oc: c, accumulate: true)
        ResidualMLP.forward(r: b.r1, weights: w, rows: p, config: config, into: b.mlp)
    }
}
