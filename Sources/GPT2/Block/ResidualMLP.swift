/// The second half of a transformer block, the same for every row and for the pooled rows of the
/// last block: out = r + c_proj(gelu(c_fc(ln_2(r)))), with r the residual stream after attention.
package enum ResidualMLP {
    /// Where each step writes, R rows. Serving points `fchGelu` at `fch` (GELU in place) and `out`
    /// at r (the residual add in place) and keeps no statistics; training keeps every step.
    package struct Buffers {
        package var ln2: UnsafeMutablePointer<Float>                // [R, C] ln_2(r)
        package var mean2, rstd2: UnsafeMutablePointer<Float>?      // [R] ln_2's statistics, for backward
        package var fch, fchGelu: UnsafeMutablePointer<Float>       // [R, 4C] c_fc's output, then GELU's
        package var out: UnsafeMutablePointer<Float>                // [R, C]; may be r itself
        /// Scratch for a packed (reduced-precision) block; serving only.
        var reduced: ReducedScratch? = nil
    }

    /// out[R, C] = r[R, C] + c_proj(gelu(c_fc(ln_2(r)))) with block `w`'s ln_2 and MLP weights.
    /// Backward: `TailModel.mlpBackward` in FineTune.
    static func forward(r: UnsafePointer<Float>, weights w: BlockWeights, rows: Int, config: GPT2Config, into b: Buffers) {
        let c = config.channels
        LayerNorm.forward(out: b.ln2, mean: b.mean2, rstd: b.rstd2, x: r, w: w.ln2W.pointer, b: w.ln2B.pointer, n: rows, c: c,
                          eps: config.layerNormEpsilon)
        Matmul.forward(out: b.fch, x: b.ln2, w: w.fcW.pointer, packed: w.packed?.fc, scratch: b.reduced, b: w.fcB.pointer,
                       n: rows, ic: c, oc: 4 * c)
        GELU.forward(out: b.fchGelu, x: b.fch, count: rows * 4 * c)
        if UnsafePointer(b.out) != r { b.out.update(from: r, count: rows * c) }
        Matmul.forward(out: b.out, x: b.fchGelu, w: w.fcProjW.pointer, packed: w.packed?.fcProj, scratch: b.reduced,
                       b: w.fcProjB.pointer, n: rows, ic: 4 * c, oc: c, accumulate: true)
    }
}
