import Foundation

/// Softmax and mean cross-entropy over the rows of [B, K] logits (the classifier's loss), against
/// hard labels or, for distillation, soft target distributions.
public enum CrossEntropy {
    /// probs[B, K] = softmax(logits[b]); returns mean over b of -Σ_j q[b, j] log probs[b, j], where
    /// q is `targets`[B, K] when given (each row a distribution), else the one-hot of labels[b].
    /// logits: [B, K]; labels: [B] in 0..<K. probs may alias logits.
    @discardableResult
    public static func forward(probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                               targets: UnsafePointer<Float>? = nil, b: Int, k: Int) -> Float {
        var total: Double = 0
        for row in 0..<b {
            let l = logits + row * k
            let p = probs + row * k
            var maxValue = -Float.infinity
            for j in 0..<k { maxValue = max(maxValue, l[j]) }
            var sum: Float = 0
            for j in 0..<k {
                let e = exp(l[j] - maxValue)
                p[j] = e
                sum += e
            }
            let label = Int(labels[row])
            precondition(label >= 0 && label < k, "label \(label) outside 0..<\(k)")
            // -log softmax from the logits, not log(p), so a confident wrong answer stays finite.
            let logSum = log(sum) + maxValue
            if let targets {
                let q = targets + row * k
                for j in 0..<k where q[j] != 0 { total += Double(q[j] * (logSum - l[j])) }
            } else {
                total += Double(logSum - l[label])
            }
            let inv = 1 / sum
            for j in 0..<k { p[j] *= inv }
        }
        return b > 0 ? Float(total / Double(b)) : 0
    }

    /// dlogits[b, j] += scale · (probs[b, j] - q[b, j]), q as in `forward`. For the mean loss
    /// scale is 1/B (times 1/steps when gradients of several batches are accumulated).
    public static func backward(dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                                targets: UnsafePointer<Float>? = nil, b: Int, k: Int, scale: Float) {
        for row in 0..<b {
            let d = dlogits + row * k
            let p = probs + row * k
            if let targets {
                let q = targets + row * k
                for j in 0..<k { d[j] += scale * (p[j] - q[j]) }
            } else {
                let label = Int(labels[row])
                for j in 0..<k { d[j] += scale * (p[j] - (j == label ? 1 : 0)) }
            }
        }
    }
}
