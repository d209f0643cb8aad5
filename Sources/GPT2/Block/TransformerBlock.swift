/// One transformer block on every row of a packed batch (the loop body of llm.c's `gpt2_forward`):
/// r1 = x + c_proj(attention(c_attn(ln_1(x)))), then out = r1 + mlp(ln_2(r1)) (`ResidualMLP`).
///
/// One forward for serving and training: they differ only in where the steps write. Serving runs
/// in place on the residual stream with a few scratch buffers that the next block overwrites;
/// training gives every step a buffer of its own (`BlockActivations`) for backward to read.
/// The kernel calls and their inputs are the same, so a trainer's evaluation equals serving bit
/// for bit (for the same batch layout). Backward: `TailModel.blockBackward` in FineTune.
package enum TransformerBlock {
    /// Where each step writes, N rows.
    struct Buffers {
        var ln1: UnsafeMutablePointer<Float>            // [N, C]
        var mean1, rstd1: UnsafeMutablePointer<Float>?  // [N] ln_1's statistics, for backward
        var qkv: UnsafeMutablePointer<Float>            // [N, 3C]
        /// Softmaxed scores: sequence i's [NH, T, T] at att + attOffsets[i], or all at att (each
        /// sequence overwriting the last's) when there are no offsets.
        var att: UnsafeMutablePointer<Float>
        var attOffsets: [Int]?
        var atty: UnsafeMutablePointer<Float>           // [N, C] attention output, heads side by side
        var r1: UnsafeMutablePointer<Float>             // [N, C] residual after attention; may be x itself
        var mlp: ResidualMLP.Buffers
        /// Scratch for a packed (reduced-precision) block; serving only.
        var reduced: ReducedScratch? = nil
    }

    /// Serving: x[N, C] ← block(x), in place.
    static func forward(x: UnsafeMutablePointer<Float>, weights: BlockWeights, batch: PackedBatch, config: GPT2Config,
                        scratch ws: Workspace) {
        let mlp = ResidualMLP.Buffers(ln2: ws.ln.pointer, mean2: nil, rstd2: nil, fch: ws.fch.pointer, fchGelu: ws.fch.pointer, out: x,
                                      reduced: ws.reduced)
        forward(x: x, weights: weights, batch: batch, config: config,
                into: Buffers(ln1: ws.ln.pointer, mean1: nil, rstd1: nil, qkv: ws.qkv.pointer, att: ws.att.pointer, attOffsets: nil,
                              atty: ws.atty.pointer, r1: x, mlp: mlp, reduced: ws.reduced))
    }

    /// Training: a.out[N, C] ← block(x), keeping x (as a.input) and every step's output in `a`.
    package static func forward(x: UnsafePointer<Float>, weights: BlockWeights, batch: PackedBatch, config: GPT2Config,
                                saving a: BlockActivations) {
        a.input = x
        a.attOffsets = batch.attentionOffsets(heads: config.heads)
        forward(x: x, weights: weights, batch: batch, config: config,
                into: Buffers(ln1: a.ln1.pointer, mean1: a.mean1.pointer, rstd1: a.rstd1.pointer, qkv: a.qkv.pointer, att: a.att.pointer,
                              attOffsets: a.attOffsets, atty: a.atty.pointer, r1: a.r1.pointer, mlp: a.mlp.buffers))
    }

    private static func forward(x: UnsafePointer<Float>, weights w: BlockWeights, batch: PackedBatch, config: GPT2Config, into b: Buffers) {
        let (n, c, nh) = (batch.totalTokens, config.channels, config.heads)
        LayerNorm.forward(out: b.ln1, mean: b.mean1, rstd: b.rstd1, x: x, w: w.ln1W.pointer, b: w.ln1B.pointer, n: n, c: c,
                          eps: config.layerNormEpsilon)
        Matmul.forward(out: b.qkv, x: b.ln1, w: w.qkvW.pointer, packed: w.packed?.qkv, scratch: b.reduced, b: w.qkvB.pointer,
                       n: n, ic: c, oc: 3 * c)
        for i in 0..<batch.count {
            let s = batch.start(i)
            Attention.forward(out: b.atty + s * c, ldout: c, att: b.att + (b.attOffsets?[i] ?? 0), qkv: b.qkv + s * 3 * c,
                              t: batch.length(i), c: c, nh: nh)
        }
        if UnsafePointer(b.r1) != x { b.r1.update(from: x, count: n * c) }
        Matmul.forward(out: b.r1, x: b.atty, w: w.attnProjW.pointer, packed: w.packed?.attnProj, scratch: b.reduced,
                       b: w.attnProjB.pointer, n: n, ic: c, oc: c, accumulate: true)
        ResidualMLP.forward(r: b.r1, weights: w, rows: n, config: config, into: b.mlp)
    }
}
