import Dispatch
import GPT2

/// AdamW as `torch.optim.AdamW` computes it (one parameter group, amsgrad off):
///
///     p ← p - lr·pull·(p - p₀)          (only with a start pull: `AdamWConfig.startPull`)
///     p ← p · (1 - lr·wd)
///     m ← β₁m + (1-β₁)g;   v ← β₂v + (1-β₂)g²
///     p ← p - (lr / (1-β₁ᵗ)) · m / (√v / √(1-β₂ᵗ) + ε)
///
/// in that order, in fp32, with the bias corrections computed in double as Python does.
/// The update consumes the gradient: it leaves it zeroed, in the same pass over memory (the
/// step is memory-bound, and a separate zeroing pass cost a fifth of it).
public struct AdamW: Sendable {
    public var config: AdamWConfig
    public private(set) var step = 0
    /// Worker threads for large tensors (the update is memory-bound; two cores share the bandwidth).
    public var threads = 1

    public init(config: AdamWConfig) { self.config = config }

    public mutating func update(_ parameters: [Parameter]) {
        step += 1
        let t = Double(step)
        let lr = Double(config.learningRate)
        let decay = Float(1 - lr * Double(config.weightDecay))
        let stepSize = Float(lr / (1 - pow(Double(config.beta1), t)))
        let correction2Sqrt = Float((1 - pow(Double(config.beta2), t)).squareRoot())
        let constants = Constants(decay: decay, pull: Float(lr * Double(config.startPull)), beta1: config.beta1, beta2: config.beta2,
                                  stepSize: stepSize, correction2Sqrt: correction2Sqrt, epsilon: config.epsilon)
        for p in parameters {
            let chunk = 1 << 18
            let workers = threads > 1 && p.count >= 2 * chunk ? threads : 1
            if workers == 1 {
                Self.update(p, range: 0..<p.count, constants)
            } else {
                let per = (p.count + workers - 1) / workers
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let lo = w * per, hi = min(p.count, lo + per)
                    if lo < hi { Self.update(p, range: lo..<hi, constants) }
                }
            }
        }
    }

    struct Constants {
        let decay, pull, beta1, beta2, stepSize, correction2Sqrt, epsilon: Float
    }

    static func update(_ p: Parameter, range: Range<Int>, _ k: Constants) {
        let (x, g, m, v) = (p.value.pointer, p.grad.pointer, p.m.pointer, p.v.pointer)
        if k.pull > 0, let anchor = p.anchor {
            let a = anchor.pointer
            for i in range { x[i] -= k.pull * (x[i] - a[i]) }
        }
        typealias V = SIMD8<Float>
        let oneMinusBeta1 = 1 - k.beta1, oneMinusBeta2 = 1 - k.beta2
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            var mi = UnsafeRawPointer(m + i).loadUnaligned(as: V.self)
            var vi = UnsafeRawPointer(v + i).loadUnaligned(as: V.self)
            var xi = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            xi *= k.decay
            mi += (gi - mi) * oneMinusBeta1  // lerp, as torch's exp_avg.lerp_
            vi = vi * k.beta2 + gi * gi * oneMinusBeta2
            let denom = vi.squareRoot() / k.correction2Sqrt + k.epsilon
            xi -= k.stepSize * mi / denom
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: xi, as: V.self)
            UnsafeMutableRawPointer(g + i).storeBytes(of: V(), as: V.self)
            i += 8
        }
        while i < range.upperBound {
            x[i] *= k.decay
            m[i] += (g[i] - m[i]) * oneMinusBeta1
            v[i] = v[i] * k.beta2 + g[i] * g[i] * oneMinusBeta2
            x[i] -= k.stepSize * m[i] / (v[i].squareRoot() / k.correction2Sqrt + k.epsilon)
            g[i] = 0
            i += 1
        }
    }
}

import Foundation
