/// LayerNorm over the last dimension (biased variance, as PyTorch).
public enum LayerNorm {
    /// out[n] = (x[n] - mean) * rstd * w + b
    /// out, x: [N, C]; w, b: [C]; mean, rstd: [N] (saved for backward when non-nil)
    public static func forward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?,
                               x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>,
                               n: Int, c: Int, eps: Float) {
        for row in 0..<n {
            let xr = x + row * c
            var sum: Float = 0
            for i in 0..<c { sum += xr[i] }
            let m = sum / Float(c)
            var v: Float = 0
            for i in 0..<c {
                let d = xr[i] - m
                v += d * d
            }
            let s = 1 / (v / Float(c) + eps).squareRoot()
            let o = out + row * c
            for i in 0..<c { o[i] = (xr[i] - m) * s * w[i] + b[i] }
            mean?[row] = m
            rstd?[row] = s
        }
    }
}

extension LayerNorm {
    /// Accumulates dx (when non-nil), dw and db from dout, using the mean and rstd saved by forward.
    /// dx, dout, x: [N, C]; dw, db, w: [C]; mean, rstd: [N]
    /// dx is nil when nothing upstream trains (the input is a frozen activation).
    public static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, c: Int) {
        for row in 0..<n {
            let xr = x + row * c
            let dr = dout + row * c
            let (m, s) = (mean[row], rstd[row])
            // dnorm = w ⊙ dout; dx = s · (dnorm - mean(dnorm) - norm · mean(dnorm ⊙ norm))
            var dnormMean: Float = 0
            var dnormNormMean: Float = 0
            for i in 0..<c {
                let norm = (xr[i] - m) * s
                let dnorm = w[i] * dr[i]
                dnormMean += dnorm
                dnormNormMean += dnorm * norm
            }
            dnormMean /= Float(c)
            dnormNormMean /= Float(c)
            for i in 0..<c {
                let norm = (xr[i] - m) * s
                dw[i] += norm * dr[i]
                db[i] += dr[i]
            }
            if let dx {
                let dxr = dx + row * c
                for i in 0..<c {
                    let norm = (xr[i] - m) * s
                    dxr[i] += (w[i] * dr[i] - dnormMean - norm * dnormNormMean) * s
                }
            }
        }
    }
}
