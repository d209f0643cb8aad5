import ArgumentParser
import GPT2

/// `--threads`, for every command that runs the model in this process.
struct ThreadsOption: ParsableArguments {
    @Option(help: "OpenBLAS threads (when training, also the optimizer's).")
    var threads: Int = 2

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Sets OpenBLAS's thread count for this process.
    func apply() { BLAS.setThreads(threads) }

    /// The threads of a forward pass in `precision` (``ComputeThreads``).
    func apply(precision: Precision) { ComputeThreads(threads, precision: precision).apply() }
}
