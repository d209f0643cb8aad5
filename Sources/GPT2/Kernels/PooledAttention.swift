import CBLAS

/// Attention of each sequence's last row only (the pooled row), with the key and value
/// projections folded into the query side, for training the last block.
///
/// With one query per sequence, head h's score of row t is scale·(x_t·W_k,h + b_k,h)·q_h
/// = x_t·r_h + const, where r_h = scale·W_k,h·q_h [C]; the constant is the same for every t, so
/// the softmax ignores it (b_k gets no gradient, exactly). The output is
/// Σ_t a_t (x_t·W_v,h + b_v,h) = m_h·W_v,h + b_v,h with m_h = Σ_t a_t x_t [C], because Σ_t a_t = 1.
/// So K and V are never formed: the all-rows work is N·NH·C per pass instead of the K,V
/// projection's N·C·2C (64x less for GPT-2 124M), forward and backward.
///
/// Mathematically equal to c_attn's K,V followed by `Attention.forwardLastQuery`; the rounding
/// differs, so inference (which must match training's saved checkpoints bit for bit) keeps
/// the explicit path and only training steps use this one.
public enum PooledAttention {
    /// out[P, C]; saves r[P, NH, C], m[P, NH, C] and att[N, NH] (row start_i + t holds the
    /// softmaxed scores of sequence i's row t, one per head) for backward.
    /// x: [N, C] ln_1 output of every row, sequence i at rows starts[i] ..< starts[i] + lengths[i];
    /// q: [P, C] the pooled rows' queries; wk, wv: [C, C] K and V column blocks of c_attn's weight
    /// (row stride ldw, 3C in c_attn); bv: [C] the V bias.
    public static func forward(out: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                               att: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, q: UnsafePointer<Float>,
                               wk: UnsafePointer<Float>, wv: UnsafePointer<Float>, bv: UnsafePointer<Float>, ldw: Int,
                               starts: [Int], lengths: [Int], c: Int, nh: Int) {
        let p = starts.count
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        let (p32, c32, hs32, nh32, ld, ldr) = (Int32(p), Int32(c), Int32(hs), Int32(nh), Int32(ldw), Int32(nh * c))
        // r_h[P, C] = scale · q_h[P, HS] · W_k,hᵀ[HS, C]
        for h in 0..<nh {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p32, c32, hs32, scale, q + h * hs, c32, wk + h * hs, ld,
                        0, r + h * c, ldr)
        }
        for i in 0..<p {
            let (s, t) = (starts[i], Int32(lengths[i]))
            let xi = x + s * c, ai = att + s * nh
            // scores[T, NH] = x_i[T, C] · r_iᵀ[C, NH], softmax down each column
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, nh32, c32, 1, xi, c32, r + i * nh * c, c32, 0, ai, nh32)
            for h in 0..<nh { softmaxColumn(ai + h, stride: nh, count: lengths[i]) }
            // m_i[NH, C] = a_iᵀ[NH, T] · x_i[T, C]
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nh32, c32, t, 1, ai, nh32, xi, c32, 0, m + i * nh * c, c32)
        }
        // out_h[P, HS] = m_h[P, C] · W_v,h[C, HS] + b_v,h
        for i in 0..<p { (out + i * c).update(from: bv, count: c) }
        for h in 0..<nh {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p32, hs32, c32, 1, m + h * c, ldr, wv + h * hs, ld,
                        1, out + h * hs, c32)
        }
    }

    /// Backward of `forward` from dout[P, C]: accumulates dx[N, C], dq[P, C], dwk and dwv ([C, C],
    /// row stride ldw) and dbv[C]. Scratch: dm and dr [P, NH, C], datt [max T, NH].
    public static func backward(dx: UnsafeMutablePointer<Float>, dq: UnsafeMutablePointer<Float>,
                                dwk: UnsafeMutablePointer<Float>, dwv: UnsafeMutablePointer<Float>, dbv: UnsafeMutablePointer<Float>,
                                dm: UnsafeMutablePointer<Float>, dr: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, r: UnsafePointer<Float>, m: UnsafePointer<Float>, att: UnsafePointer<Float>,
                                x: UnsafePointer<Float>, q: UnsafePointer<Float>, wk: UnsafePointer<Float>, wv: UnsafePointer<Float>,
                                ldw: Int, starts: [Int], lengths: [Int], c: Int, nh: Int) {
        let p = starts.count
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        let (p32, c32, hs32, nh32, ld, ldr) = (Int32(p), Int32(c), Int32(hs), Int32(nh), Int32(ldw), Int32(nh * c))
        // out_h = m_h · W_v,h + b_v,h
        for i in 0..<p {
            let d = dout + i * c
            for j in 0..<c { dbv[j] += d[j] }
        }
        for h in 0..<nh {
            // dW_v,h[C, HS] += m_hᵀ[C, P] · dout_h[P, HS];  dm_h[P, C] = dout_h · W_v,hᵀ
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c32, hs32, p32, 1, m + h * c, ldr, dout + h * hs, c32,
                        1, dwv + h * hs, ld)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p32, c32, hs32, 1, dout + h * hs, c32, wv + h * hs, ld,
                        0, dm + h * c, ldr)
        }
        for i in 0..<p {
            let (s, t) = (starts[i], Int32(lengths[i]))
            let xi = x + s * c, ai = att + s * nh, dxi = dx + s * c
            // m_i = a_iᵀ x_i:  dx_i += a_i[T, NH] · dm_i[NH, C];  datt[T, NH] = x_i · dm_iᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, c32, nh32, 1, ai, nh32, dm + i * nh * c, c32, 1, dxi, c32)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, nh32, c32, 1, xi, c32, dm + i * nh * c, c32, 0, datt, nh32)
            for h in 0..<nh { softmaxBackwardColumn(datt + h, a: ai + h, stride: nh, count: lengths[i]) }
            // scores = x_i · r_iᵀ:  dx_i += dscores[T, NH] · r_i[NH, C];  dr_i[NH, C] = dscoresᵀ · x_i
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, c32, nh32, 1, datt, nh32, r + i * nh * c, c32, 1, dxi, c32)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nh32, c32, t, 1, datt, nh32, xi, c32, 0, dr + i * nh * c, c32)
        }
        for h in 0..<nh {
            // r_h = scale · q_h · W_k,hᵀ:  dW_k,h[C, HS] += scale · dr_hᵀ[C, P] · q_h[P, HS];  dq_h += scale · dr_h · W_k,h
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c32, hs32, p32, scale, dr + h * c, ldr, q + h * hs, c32,
                        1, dwk + h * hs, ld)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p32, hs32, c32, scale, dr + h * c, ldr, wk + h * hs, ld,
                        1, dq + h * hs, c32)
        }
    }

    /// Softmax of `count` entries `stride` apart, in place.
    @inline(__always)
    static func softmaxColumn(_ v: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        var maxValue = -Float.infinity
        for t in 0..<count { maxValue = max(maxValue, v[t * stride]) }
        var sum: Float = 0
        for t in 0..<count {
            let e = FastMath.exp(v[t * stride] - maxValue)
            v[t * stride] = e
            sum += e
        }
        let inv = 1 / sum
        for t in 0..<count { v[t * stride] *= inv }
    }

    /// In place: ds_t = a_t · (ds_t - Σ a·ds) over `count` entries `stride` apart.
    @inline(__always)
    static func softmaxBackwardColumn(_ ds: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, stride: Int, count: Int) {
        var dot: Float = 0
        for t in 0..<count { dot += a[t * stride] * ds[t * stride] }
        for t in 0..<count { ds[t * stride] = a[t * stride] * (ds[t * stride] - dot) }
    }
}
