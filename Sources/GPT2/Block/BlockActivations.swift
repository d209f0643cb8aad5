/// What a training forward of one block keeps for backward (`TransformerBlock.forward(saving:)`),
/// every row [N, …]. Buffers grow to the largest batch and are reused.
package final class BlockActivations {
    /// The block's input [N, C]. Not owned: the tail's input or the previous block's `out`.
    package var input: UnsafePointer<Float>?
    package let ln1 = FloatBuffer(), mean1 = FloatBuffer(), rstd1 = FloatBuffer(), qkv = FloatBuffer(), att = FloatBuffer()
    package let atty = FloatBuffer(), r1 = FloatBuffer()
    package let mlp = MLPActivations()
    /// Start of each sequence's [NH, T, T] in `att`.
    package var attOffsets: [Int] = []

    package init() {}

    /// The block's output [N, C].
    package var out: FloatBuffer { mlp.out }

    /// `attention`: Σ NH·T² over the batch's sequences.
    package func reserve(rows n: Int, channels c: Int, attention: Int) {
        for b in [ln1, atty, r1] { b.reserve(n * c) }
        for b in [mean1, rstd1] { b.reserve(n) }
        qkv.reserve(n * 3 * c)
        att.reserve(attention)
        mlp.reserve(rows: n, channels: c)
    }
}

/// What a training forward of the pooled last block keeps (`PooledLastBlock.forward(saving:)`):
/// ln_1 and K,V for every row; Q, attention, projections, ln_2 and the MLP for the B pooled rows.
package final class PooledBlockActivations {
    package var input: UnsafePointer<Float>?
    package let ln1 = FloatBuffer(), mean1 = FloatBuffer(), rstd1 = FloatBuffer(), kv = FloatBuffer()    // all rows
    package let lnPooled = FloatBuffer(), q = FloatBuffer(), att = FloatBuffer(), atty = FloatBuffer()   // pooled rows
    package let r1 = FloatBuffer()
    package let mlp = MLPActivations()
    /// Start of each sequence's [NH, T] in `att`.
    package var attOffsets: [Int] = []
    /// Training steps fold K and V into the query (`PooledAttention`) and keep these instead of kv:
    package let r = FloatBuffer(), m = FloatBuffer()  // [B, NH, C]
    package let attRows = FloatBuffer()               // [N, NH]
    /// Whether the last forward took the folded path (what backward must undo).
    package var folded = false

    package init() {}

    /// The block's output [B, C].
    package var out: FloatBuffer { mlp.out }

    /// `attention`: NH·N, one score per head for each row.
    package func reserve(rows n: Int, pooled p: Int, channels c: Int, heads nh: Int, attention: Int) {
        for b in [r, m] { b.reserve(p * nh * c) }
        attRows.reserve(n * nh)
        ln1.reserve(n * c)
        for b in [mean1, rstd1] { b.reserve(n) }
        kv.reserve(n * 2 * c)
        for b in [lnPooled, q, atty, r1] { b.reserve(p * c) }
        att.reserve(attention)
        mlp.reserve(rows: p, channels: c)
    }
}

/// What the MLP half of a block keeps (`ResidualMLP`), R rows.
package final class MLPActivations {
    package let ln2 = FloatBuffer(), mean2 = FloatBuffer(), rstd2 = FloatBuffer()
    package let fch = FloatBuffer(), fchGelu = FloatBuffer(), out = FloatBuffer()

    func reserve(rows: Int, channels c: Int) {
        for b in [ln2, out] { b.reserve(rows * c) }
        for b in [mean2, rstd2] { b.reserve(rows) }
        for b in [fch, fchGelu] { b.reserve(rows * 4 * c) }
    }

    /// Each of its steps writing to a buffer of its own.
    package var buffers: ResidualMLP.Buffers {
        ResidualMLP.Buffers(ln2: ln2.pointer, mean2: mean2.pointer, rstd2: rstd2.pointer, fch: fch.pointer, fchGelu: fchGelu.pointer,
                            out: out.pointer)
    }
}
