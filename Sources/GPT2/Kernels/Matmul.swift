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

extension Matmul {
    /// Backward of `forward`, accumulating into whichever of dx, dw, db are non-nil:
    /// dx[N, IC] += dout[N, OC] · w[IC, OC]ᵀ;  dw[IC, OC] += x[N, IC]ᵀ · dout[N, OC];  db[OC] += Σₙ dout[n]
    /// Strides as in forward: `ldx` for x and dx, `ldw` for w and dw, `ldout` for dout.
    public static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                                dout: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                n: Int, ic: Int, oc: Int, ldx: Int? = nil, ldw: Int? = nil, ldout: Int? = nil) {
        guard n > 0 else { return }
        let (lx, lw, lo) = (Int32(ldx ?? ic), Int32(ldw ?? oc), Int32(ldout ?? oc))
        if let dx {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(ic), Int32(oc),
                        1, dout, lo, w, lw, 1, dx, lx)
        }
        if let dw {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(ic), Int32(oc), Int32(n),
                        1, x, lx, dout, lo, 1, dw, lw)
        }
        if let db {
            let ldo = ldout ?? oc
            for row in 0..<n {
                let d = dout + row * ldo
                for j in 0..<oc { db[j] += d[j] }
            }
        }
    }
}
