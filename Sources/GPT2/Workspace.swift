/// Activation buffers reused across forward passes; they grow to the largest batch seen and
/// are never freed in between, so steady-state inference allocates nothing per token.
final class Workspace {
    private(set) var x = Buffer(), ln = Buffer(), qkv = Buffer(), atty = Buffer(), fch = Buffer(), att = Buffer()
    // Pooled rows of the last block.
    private(set) var xp = Buffer(), lnp = Buffer(), qp = Buffer(), attyp = Buffer(), fchp = Buffer()

    func reserve(config: GPT2Config, rows n: Int, sequences p: Int, maxLength t: Int) {
        let c = config.channels
        x.reserve(n * c); ln.reserve(n * c); qkv.reserve(n * 3 * c); atty.reserve(n * c); fch.reserve(n * 4 * c)
        att.reserve(config.heads * t * t)
        xp.reserve(p * c); lnp.reserve(p * c); qp.reserve(p * c); attyp.reserve(p * c); fchp.reserve(p * 4 * c)
    }
}

/// A growable fp32 buffer with a stable pointer between growths.
final class Buffer {
    private(set) var pointer: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var capacity = 1

    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}
