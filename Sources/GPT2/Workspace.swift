/// Activation buffers reused across forward passes; they grow to the largest batch seen and
/// are never freed in between, so steady-state inference allocates nothing per token.
final class Workspace {
    private(set) var x = FloatBuffer(), ln = FloatBuffer(), qkv = FloatBuffer(), atty = FloatBuffer(), fch = FloatBuffer(), att = FloatBuffer()
    // Pooled rows of the last block.
    /// Scratch of packed (bf16/int8) blocks.
    let reduced = ReducedScratch()
    private(set) var xp = FloatBuffer(), lnp = FloatBuffer(), qp = FloatBuffer(), attyp = FloatBuffer(), fchp = FloatBuffer()

    func reserve(config: GPT2Config, rows n: Int, sequences p: Int, maxLength t: Int) {
        let c = config.channels
        x.reserve(n * c); ln.reserve(n * c); qkv.reserve(n * 3 * c); atty.reserve(n * c); fch.reserve(n * 4 * c)
        att.reserve(config.heads * t * t)
        xp.reserve(p * c); lnp.reserve(p * c); qp.reserve(p * c); attyp.reserve(p * c); fchp.reserve(p * 4 * c)
    }
}
