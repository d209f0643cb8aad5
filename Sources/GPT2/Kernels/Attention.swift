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
