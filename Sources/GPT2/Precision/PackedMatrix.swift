import CBLAS
import CDNNL
import CPrecisionKernels

/// A frozen Conv1D weight W[K, N] (`[in, out]`) packed once in oneDNN's layout for a reduced
/// precision. `forward` is `Matmul.forward`'s contract: out[M, N] (+)= x[M, K] · W + b[N].
///
/// - bf16: x and W rounded to bfloat16 (round to nearest even), products summed in fp32.
/// - int8: W[:, j] ≈ Wq[:, j] · columnScale[j] (symmetric, per output column); each row of x
///   gets its own scale. Values of x of magnitude ≥ `outlierThreshold` (GPT-2's residual stream
///   has a few channels hundreds of times larger than the rest) are left out of the int8
///   product and added in fp32 with W's own rows, as LLM.int8() does, so they cannot flatten
///   the rest of their row to zero. The split is decided per value, not per batch column, so a
///   row's result does not depend on which rows share its batch (serving, the retrain's prefix
///   cache and the verdict cache agree).
final class PackedMatrix: @unchecked Sendable {
    let k: Int
    let n: Int
    let precision: Precision
    /// oneDNN's implementation, e.g. "brg:avx512_core_bf16".
    let implementation: String
    private var layout: dnnl_memory_desc_t
    private let packed: UnsafeMutableRawPointer
    let packedBytes: Int
    private let columnScale: [Float]
    /// The fp32 weight: int8 reads its rows for outlier columns. When it is a view of a mapped
    /// file its pages are handed back to the kernel after packing and fault in again row by row.
    private let source: Tensor

    static let outlierThreshold: Float = 6

    init(_ w: Tensor, precision: Precision) throws {
        precondition(w.shape.count == 2 && precision != .fp32)
        (k, n, self.precision, source) = (w.shape[0], w.shape[1], precision, w)
        let (sdt, wdt, ddt) = precision == .bf16 ? (dnnl_bf16, dnnl_bf16, dnnl_f32) : (dnnl_s8, dnnl_s8, dnnl_s32)
        let engine = OneDNN.shared.engine
        var layout = dnnl_memory_desc_t()
        var name = [CChar](repeating: 0, count: 128)
        try OneDNN.check(sift_dnnl_packed_layout(engine, Int64(k), Int64(n), sdt, wdt, ddt, &layout, &name, name.count),
                         "choose a \(precision) matmul for a \(k)×\(n) weight")
        implementation = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard !implementation.hasPrefix("ref") else {
            throw GPT2Error.invalidInput("oneDNN has only its reference \(precision) matmul (\(implementation)) on this CPU, slower than fp32")
        }
        self.layout = layout
        packedBytes = sift_dnnl_size(&layout)
        packed = .allocate(byteCount: packedBytes, alignment: 64)
        var scales = [Float](repeating: 1, count: n)
        switch precision {
        case .bf16:
            let plain = UnsafeMutablePointer<UInt16>.allocate(capacity: k * n)
            defer { plain.deallocate() }
            sift_round_to_bf16(w.pointer, plain, Int64(k * n))
            try OneDNN.check(sift_dnnl_pack(engine, Int64(k), Int64(n), dnnl_bf16, plain, &layout, packed), "pack a bf16 weight")
        case .int8:
            let plain = UnsafeMutablePointer<Int8>.allocate(capacity: k * n)
            defer { plain.deallocate() }
            Self.quantizeColumns(w.pointer, k: k, n: n, into: plain, scales: &scales)
            try OneDNN.check(sift_dnnl_pack(engine, Int64(k), Int64(n), dnnl_s8, plain, &layout, packed), "pack an int8 weight")
        case .fp32:
            preconditionFailure()
        }
        columnScale = scales
        w.releaseResidentPages()
    }

    deinit { packed.deallocate() }

    /// out[M, N] = x[M, K] · W + b[N], or out += that when `accumulate`.
    func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, b: UnsafePointer<Float>?, m: Int,
                 accumulate: Bool, scratch: ReducedScratch) {
        guard m > 0 else { return }
        sift_omp_set_num_threads(Int32(scratch.threads ?? ComputeThreads.current.oneDNN))
        switch precision {
        case .bf16: forwardBF16(out: out, x: x, b: b, m: m, accumulate: accumulate, scratch: scratch)
        case .int8: forwardInt8(out: out, x: x, b: b, m: m, accumulate: accumulate, scratch: scratch)
        case .fp32: preconditionFailure()
        }
    }

    private func forwardBF16(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, b: UnsafePointer<Float>?, m: Int,
                             accumulate: Bool, scratch s: ReducedScratch) {
        s.bytes.reserve(m * k * 2)
        let xb = s.bytes.pointer.assumingMemoryBound(to: UInt16.self)
        sift_round_to_bf16(x, xb, Int64(m * k))
        run(sift_dnnl_matmul(OneDNN.shared.engine, s.stream, Int64(m), Int64(k), Int64(n), dnnl_bf16, xb, &layout, packed, b,
                             dnnl_f32, out, accumulate ? 1 : 0))
    }

    private func forwardInt8(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, b: UnsafePointer<Float>?, m: Int,
                             accumulate: Bool, scratch s: ReducedScratch) {
        s.bytes.reserve(m * k); s.int32.reserve(m * n * 4); s.rowScale.reserve(m); s.columnMax.reserve(k)
        sift_column_abs_max(x, Int64(m), Int64(k), s.columnMax.pointer)
        let outliers = (0..<k).filter { s.columnMax.pointer[$0] >= Self.outlierThreshold }
        let xq = s.bytes.pointer.assumingMemoryBound(to: Int8.self)
        sift_quantize_rows(x, Int64(m), Int64(k), Self.outlierThreshold, xq, s.rowScale.pointer)
        let acc = s.int32.pointer.assumingMemoryBound(to: Int32.self)
        run(sift_dnnl_matmul(OneDNN.shared.engine, s.stream, Int64(m), Int64(k), Int64(n), dnnl_s8, xq, &layout, packed, nil,
                             dnnl_s32, acc, 0))
        columnScale.withUnsafeBufferPointer { cs in
            sift_dequantize(out, acc, s.rowScale.pointer, cs.baseAddress!, b, Int64(m), Int64(n), accumulate ? 1 : 0)
        }
        guard !outliers.isEmpty else { return }
        // out[M, N] += xo[M, O] · W[O, :] in fp32, xo holding x's outlier values of columns O (0 elsewhere).
        let no = outliers.count
        s.outlierX.reserve(m * no); s.outlierW.reserve(no * n)
        for r in 0..<m {
            for (i, c) in outliers.enumerated() {
                let v = x[r * k + c]
                s.outlierX.pointer[r * no + i] = abs(v) >= Self.outlierThreshold ? v : 0
            }
        }
        for (i, c) in outliers.enumerated() { (s.outlierW.pointer + i * n).update(from: source.pointer + c * n, count: n) }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(no), 1, s.outlierX.pointer, Int32(no),
                    s.outlierW.pointer, Int32(n), 1, out, Int32(n))
    }

    private func run(_ status: dnnl_status_t) {
        // The shapes and the layout were accepted when the weight was packed; failing now means
        // oneDNN could not allocate, which the daemon cannot answer around.
        guard status == dnnl_success else { fatalError("oneDNN \(precision) matmul \(k)×\(n) failed (status \(status.rawValue))") }
    }

    // MARK: - Conversions

    /// Nearest integer of v ∈ [-2²², 2²²] as int8 bits: adding 1.5·2²³ leaves round-to-nearest-even
    /// of v in the low mantissa bits (a branch-free form the compiler vectorizes).
    @inline(__always)
    static func roundToInt8(_ v: Float) -> Int8 {
        Int8(truncatingIfNeeded: (v + 12_582_912).bitPattern)
    }

    /// Wq[K, N] and scales[N] with W[:, j] ≈ Wq[:, j] · scales[j], |Wq| ≤ 127.
    static func quantizeColumns(_ w: UnsafePointer<Float>, k: Int, n: Int, into q: UnsafeMutablePointer<Int8>, scales: inout [Float]) {
        var amax = [Float](repeating: 0, count: n)
        sift_column_abs_max(w, Int64(k), Int64(n), &amax)
        for j in 0..<n { scales[j] = amax[j] > 0 ? amax[j] / 127 : 1 }
        let inverse = scales.map { 1 / $0 }
        for r in 0..<k { for j in 0..<n { q[r * n + j] = roundToInt8(w[r * n + j] * inverse[j]) } }
    }
}
