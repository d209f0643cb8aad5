import CBLAS

/// Dense layers on OpenBLAS, with GPT-2's Conv1D layout: weights are `[in, out]`, `y = x·W + b`.
public enum Matmul {
    /// out[N, OC] = x[N, IC] · w[IC, OC] + b[OC]
    /// `ldx`/`ldw`/`ldout` are row strides (default: dense), so column slices of a wider
    /// weight (e.g. the K,V part of c_attn) can be used without copying.
    public static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                               n: Int, ic: Int, oc: Int, ldx: Int? = nil, ldw: Int? = nil, ldout: Int? = nil, accumulate: Bool = false) {
        guard n > 0 else { return }
        let ldo = ldout ?? oc
        if let b {
            for row in 0..<n {
                let o = out + row * ldo
                if accumulate { for j in 0..<oc { o[j] += b[j] } } else { for j in 0..<oc { o[j] = b[j] } }
            }
        }
        let beta: Float = (b != nil || accumulate) ? 1 : 0
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(oc), Int32(ic),
                    1, x, Int32(ldx ?? ic), w, Int32(ldw ?? oc), beta, out, Int32(ldo))
    }
}
