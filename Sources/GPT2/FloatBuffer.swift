/// A growable fp32 scratch buffer: grows to the largest batch seen and is then reused, so
/// steady-state inference and training steps allocate nothing. The pointer is stable between growths.
public final class FloatBuffer {
    public private(set) var pointer: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    public private(set) var capacity = 1

    public init() {}

    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    /// Zeroes the first `count` entries (gradient buffers that kernels accumulate into).
    public func zero(_ count: Int) { pointer.update(repeating: 0, count: count) }

    deinit { pointer.deallocate() }
}
