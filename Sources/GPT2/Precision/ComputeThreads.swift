import Synchronization

/// The threads of one forward pass. fp32 runs on OpenBLAS; a packed model runs its frozen
/// blocks on oneDNN (OpenMP) and the fp32 rest (the last block, outlier columns) on OpenBLAS.
/// Two thread pools on the same cores each spin while the other works (measured on 2 cores:
/// 41 against 54 messages/s one at a time), so a packed model gives oneDNN the threads and
/// OpenBLAS one.
public struct ComputeThreads: Sendable, Equatable {
    public var blas: Int
    public var oneDNN: Int

    private static let oneDNNThreads = Atomic<Int>(2)

    public init(blas: Int, oneDNN: Int) {
        self.blas = max(1, blas)
        self.oneDNN = max(1, oneDNN)
    }

    /// `count` threads for a forward pass in `precision`.
    public init(_ count: Int, precision: Precision) {
        self.init(blas: precision == .fp32 ? count : 1, oneDNN: count)
    }

    public static var current: ComputeThreads {
        ComputeThreads(blas: BLAS.threads, oneDNN: oneDNNThreads.load(ordering: .relaxed))
    }

    /// `apply()` unless these are the threads already set.
    public func applyIfChanged() {
        if Self.current != self { apply() }
    }

    /// Process-wide, as OpenBLAS's own count is.
    public func apply() {
        BLAS.setThreads(blas)
        Self.oneDNNThreads.store(oneDNN, ordering: .relaxed)
    }
}
