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
