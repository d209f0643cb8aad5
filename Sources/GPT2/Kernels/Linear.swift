/// `torch.nn.Linear` with PyTorch's weight layout `[out, in]`: the classifier head (`score`).
/// The forward loop is `ClassifierHead.logits`'s, term for term, so training and inference
/// produce bit-identical logits.
public enum Linear {
    /// out[N, OC] = x[N, IC] · w[OC, IC]ᵀ + b[OC]
    public static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>,
                               n: Int, ic: Int, oc: Int) {
        for r in 0..<n {
            let xr = x + r * ic
            for j in 0..<oc {
                var s = b[j]
                let wr = w + j * ic
                for i in 0..<ic { s += xr[i] * wr[i] }
                out[r * oc + j] = s
            }
        }
    }

    /// Accumulates dx[N, IC] += dout · w (when non-nil), dw[OC, IC] += doutᵀ · x, db[OC] += Σₙ dout.
    /// The head is tiny (OC = number of labels), so plain loops beat a GEMM call here.
    public static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                n: Int, ic: Int, oc: Int) {
        for r in 0..<n {
            let xr = x + r * ic
            for j in 0..<oc {
                let d = dout[r * oc + j]
                db[j] += d
                let dwr = dw + j * ic
                for i in 0..<ic { dwr[i] += d * xr[i] }
                if let dx {
                    let dxr = dx + r * ic
                    let wr = w + j * ic
                    for i in 0..<ic { dxr[i] += d * wr[i] }
                }
            }
        }
    }
}
