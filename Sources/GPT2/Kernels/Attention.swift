import CBLAS
import Foundation

/// Causal multi-head self-attention for one sequence, on the packed q,k,v layout that
/// c_attn produces: row t of `qkv` is [q(C) | k(C) | v(C)], heads split each part into NH × HS.
public enum Attention {
    /// out[T, C] (row stride `ldout`), att[NH, T, T] (softmaxed scores, kept for backward)
    /// qkv: [T, 3C]. Entries above the diagonal of att are zero.
    public static func forward(out: UnsafeMutablePointer<Float>, ldout: Int, att: UnsafeMutablePointer<Float>,
                               qkv: UnsafePointer<Float>, t: Int, c: Int, nh: Int) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        let ld = Int32(3 * c)
        for h in 0..<nh {
            let q = qkv + h * hs
            let k = qkv + c + h * hs
            let v = qkv + 2 * c + h * hs
            let a = att + h * t * t
            // a[T, T] = scale · q[T, HS] · k[T, HS]ᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(t), Int32(t), Int32(hs),
                        scale, q, ld, k, ld, 0, a, Int32(t))
            for row in 0..<t { softmaxCausalRow(a + row * t, valid: row + 1, total: t) }
            // out[T, HS] = a[T, T] · v[T, HS]
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(t), Int32(hs), Int32(t),
                        1, a, Int32(t), v, ld, 0, out + h * hs, Int32(ldout))
        }
    }

    /// Attention of one query (the pooled token at position `t - 1`) over keys 0..<t.
    /// out[C]; att[NH, T] scratch; q[C]; kv: [T, 2C] rows [k | v] with row stride `ldkv`.
    public static func forwardLastQuery(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                                        q: UnsafePointer<Float>, kv: UnsafePointer<Float>, ldkv: Int, t: Int, c: Int, nh: Int) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        for h in 0..<nh {
            let a = att + h * t
            // a[T] = scale · k[T, HS] · q[HS]
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(t), Int32(hs), scale, kv + h * hs, Int32(ldkv),
                        q + h * hs, 1, 0, a, 1)
            softmaxCausalRow(a, valid: t, total: t)
            // out[HS] = v[T, HS]ᵀ · a[T]
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(t), Int32(hs), 1, kv + c + h * hs, Int32(ldkv),
                        a, 1, 0, out + h * hs, 1)
        }
    }

    /// Softmax over the first `valid` entries; the rest (future positions) become 0.
    @inline(__always)
    static func softmaxCausalRow(_ row: UnsafeMutablePointer<Float>, valid: Int, total: Int) {
        var maxValue = -Float.infinity
        for i in 0..<valid { maxValue = max(maxValue, row[i]) }
        var sum: Float = 0
        for i in 0..<valid {
            let e = exp(row[i] - maxValue)
            row[i] = e
            sum += e
        }
        let inv = 1 / sum
        for i in 0..<valid { row[i] *= inv }
        for i in valid..<total { row[i] = 0 }
    }
}

extension Attention {
    /// Backward of `forward` for one sequence, from the softmaxed att it saved.
    /// dqkv[T, 3C] += (dq | dk | dv); dout: [T, C] (row stride `ldout`); qkv: [T, 3C]; att: [NH, T, T];
    /// datt: [T, T] scratch.
    public static func backward(dqkv: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, ldout: Int, qkv: UnsafePointer<Float>, att: UnsafePointer<Float>,
                                t: Int, c: Int, nh: Int) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        let ld = Int32(3 * c)
        let (t32, hs32) = (Int32(t), Int32(hs))
        for h in 0..<nh {
            let q = qkv + h * hs, k = qkv + c + h * hs, v = qkv + 2 * c + h * hs
            let dq = dqkv + h * hs, dk = dqkv + c + h * hs, dv = dqkv + 2 * c + h * hs
            let a = att + h * t * t
            let dh = dout + h * hs
            // dv[T, HS] += aᵀ · dout_h
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, t32, hs32, t32, 1, a, t32, dh, Int32(ldout), 1, dv, ld)
            // datt[T, T] = dout_h · vᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t32, t32, hs32, 1, dh, Int32(ldout), v, ld, 0, datt, t32)
            // Through the softmax: ds = a ⊙ (datt - Σ a ⊙ datt), row by row; future entries have a = 0.
            for row in 0..<t { softmaxBackwardRow(ds: datt + row * t, a: a + row * t, valid: row + 1, total: t) }
            // dq += scale · ds · k;  dk += scale · dsᵀ · q
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t32, hs32, t32, scale, datt, t32, k, ld, 1, dq, ld)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, t32, hs32, t32, scale, datt, t32, q, ld, 1, dk, ld)
        }
    }

    /// Backward of `forwardLastQuery`: dq[C] += …, dkv[T, 2C] (row stride `ldkv`) += (dk | dv).
    /// dout: [C]; q: [C]; kv: [T, 2C]; att: [NH, T] as forwardLastQuery left it; datt: [T] scratch.
    public static func backwardLastQuery(dq: UnsafeMutablePointer<Float>, dkv: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>,
                                         dout: UnsafePointer<Float>, q: UnsafePointer<Float>, kv: UnsafePointer<Float>, ldkv: Int,
                                         att: UnsafePointer<Float>, t: Int, c: Int, nh: Int) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        let (t32, hs32, ld) = (Int32(t), Int32(hs), Int32(ldkv))
        for h in 0..<nh {
            let a = att + h * t
            let k = kv + h * hs, v = kv + c + h * hs
            let dk = dkv + h * hs, dv = dkv + c + h * hs
            // dv[T, HS] += a ⊗ dout_h
            cblas_sger(CblasRowMajor, t32, hs32, 1, a, 1, dout + h * hs, 1, dv, ld)
            // datt[T] = v · dout_h, then through the softmax
            cblas_sgemv(CblasRowMajor, CblasNoTrans, t32, hs32, 1, v, ld, dout + h * hs, 1, 0, datt, 1)
            softmaxBackwardRow(ds: datt, a: a, valid: t, total: t)
            // dq_h += scale · kᵀ · ds;  dk += scale · ds ⊗ q_h
            cblas_sgemv(CblasRowMajor, CblasTrans, t32, hs32, scale, k, ld, datt, 1, 1, dq + h * hs, 1)
            cblas_sger(CblasRowMajor, t32, hs32, scale, datt, 1, q + h * hs, 1, dk, ld)
        }
    }

    /// In place: ds[i] = a[i] · (ds[i] - Σⱼ a[j] ds[j]) over the first `valid` entries; the rest become 0.
    @inline(__always)
    static func softmaxBackwardRow(ds: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, valid: Int, total: Int) {
        var dot: Float = 0
        for i in 0..<valid { dot += a[i] * ds[i] }
        for i in 0..<valid { ds[i] = a[i] * (ds[i] - dot) }
        for i in valid..<total { ds[i] = 0 }
    }
}
