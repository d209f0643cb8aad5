import CBLAS
import CDNNL

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
            Self.roundToBF16(w.pointer, into: plain, count: k * n)
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
        Self.roundToBF16(x, into: xb, count: m * k)
        run(sift_dnnl_matmul(OneDNN.shared.engine, s.stream, Int64(m), Int64(k), Int64(n), dnnl_bf16, xb, &layout, packed, b,
                             dnnl_f32, out, accumulate ? 1 : 0))
    }

    private func forwardInt8(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, b: UnsafePointer<Float>?, m: Int,
                             accumulate: Bool, scratch s: ReducedScratch) {
        s.bytes.reserve(m * k); s.int32.reserve(m * n * 4); s.rowScale.reserve(m); s.columnMax.reserve(k)
        let outliers = Self.outlierColumns(x, m: m, k: k, columnMax: s.columnMax.pointer)
        let xq = s.bytes.pointer.assumingMemoryBound(to: Int8.self)
        Self.quantizeRows(x, m: m, k: k, into: xq, scales: s.rowScale.pointer)
        let acc = s.int32.pointer.assumingMemoryBound(to: Int32.self)
        run(sift_dnnl_matmul(OneDNN.shared.engine, s.stream, Int64(m), Int64(k), Int64(n), dnnl_s8, xq, &layout, packed, nil,
                             dnnl_s32, acc, 0))
        columnScale.withUnsafeBufferPointer { cs in
            for r in 0..<m {
                let (o, a, sr) = (out + r * n, acc + r * n, s.rowScale.pointer[r])
                if accumulate { for j in 0..<n { o[j] += Float(a[j]) * (sr * cs[j]) } } else { for j in 0..<n { o[j] = Float(a[j]) * (sr * cs[j]) } }
                if let b { for j in 0..<n { o[j] += b[j] } }
            }
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

    /// bfloat16 by rounding to nearest even: the upper half of the fp32 bits, plus a carry.
    static func roundToBF16(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<UInt16>, count: Int) {
        x.withMemoryRebound(to: UInt32.self, capacity: count) { u in
            for i in 0..<count {
                let bits = u[i]
                out[i] = UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
            }
        }
    }

    /// Nearest integer of v ∈ [-2²², 2²²] as int8 bits: adding 1.5·2²³ leaves round-to-nearest-even
    /// of v in the low mantissa bits (a branch-free form the compiler vectorizes).
    @inline(__always)
    static func roundToInt8(_ v: Float) -> Int8 {
        Int8(truncatingIfNeeded: (v + 12_582_912).bitPattern)
    }

    /// Wq[K, N] and scales[N] with W[:, j] ≈ Wq[:, j] · scales[j], |Wq| ≤ 127.
    static func quantizeColumns(_ w: UnsafePointer<Float>, k: Int, n: Int, into q: UnsafeMutablePointer<Int8>, scales: inout [Float]) {
        var amax = [Float](repeating: 0, count: n)
        for r in 0..<k { for j in 0..<n { let v = abs(w[r * n + j]); amax[j] = v > amax[j] ? v : amax[j] } }
        for j in 0..<n { scales[j] = amax[j] > 0 ? amax[j] / 127 : 1 }
        let inverse = scales.map { 1 / $0 }
        for r in 0..<k { for j in 0..<n { q[r * n + j] = roundToInt8(w[r * n + j] * inverse[j]) } }
    }

    /// The columns of x[M, K] holding a value of magnitude ≥ the threshold in some row.
    static func outlierColumns(_ x: UnsafePointer<Float>, m: Int, k: Int, columnMax: UnsafeMutablePointer<Float>) -> [Int] {
        columnMax.update(repeating: 0, count: k)
        for r in 0..<m {
            let row = x + r * k
            for c in 0..<k { let v = abs(row[c]); columnMax[c] = v > columnMax[c] ? v : columnMax[c] }
        }
        return (0..<k).filter { columnMax[$0] >= outlierThreshold }
    }

    /// xq[M, K] and scales[M] with xq[r, c] · scales[r] ≈ x[r, c], or 0 where |x[r, c]| is at or
    /// over the outlier threshold (the fp32 part adds those); |xq| ≤ 127.
    static func quantizeRows(_ x: UnsafePointer<Float>, m: Int, k: Int, into q: UnsafeMutablePointer<Int8>,
                             scales: UnsafeMutablePointer<Float>, threshold t: Float = outlierThreshold) {
        for r in 0..<m {
            let (row, qr) = (x + r * k, q + r * k)
            var amax: Float = 0
            for c in 0..<k { let v = abs(row[c]); let kept = v < t ? v : 0; amax = kept > amax ? kept : amax }
            let scale = amax > 0 ? amax / 127 : 1
            scales[r] = scale
            let inverse = 1 / scale
            for c in 0..<k { let v = row[c]; qr[c] = roundToInt8((abs(v) < t ? v : 0) * inverse) }
        }
    }
}
