import CBLAS

/// OpenBLAS controls shared by every kernel.
public enum BLAS {
    /// Threads OpenBLAS may use for one GEMM. The daemon and the trainer set this from config.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }
}
