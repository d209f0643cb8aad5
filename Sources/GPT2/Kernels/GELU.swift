/// GELU with the tanh approximation (`gelu_new` in transformers, GPT-2's activation).
public enum GELU {
    static let scale = Float((2.0 / Double.pi).squareRoot())

    /// out[i] = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))); out may alias x. Shape: [count]
    public static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int) {
        let raw = UnsafeRawPointer(x)
        let rawOut = UnsafeMutableRawPointer(out)
        var i = 0
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let y = 0.5 * v * (1 + FastMath.tanh(scale * (v + 0.044715 * v * v * v)))
            rawOut.storeBytes(of: y, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let v = x[i]
            out[i] = 0.5 * v * (1 + FastMath.tanh(scale * (v + 0.044715 * v * v * v)))
            i += 1
        }
    }
}

extension GELU {
    /// dx[i] = dout[i] · gelu'(x[i]), where x is the forward's input (pre-activation).
    /// Writes, not accumulates, so dx may alias dout. Shape: [count]
    public static func backward(dx: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int) {
        let rawX = UnsafeRawPointer(x), rawDout = UnsafeRawPointer(dout), rawDx = UnsafeMutableRawPointer(dx)
        var i = 0
        while i + 8 <= count {
            let v = rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let d = rawDout.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            rawDx.storeBytes(of: d * derivative(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dx[i] = dout[i] * derivative(SIMD8(repeating: x[i]))[0]
            i += 1
        }
    }

    /// d/dx of 0.5 x (1 + tanh u), u = √(2/π)(x + 0.044715 x³).
    @inline(__always)
    static func derivative(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let th = FastMath.tanh(scale * (v + 0.044715 * v * v * v))
        let du = scale * (1 + 3 * 0.044715 * v * v)
        return 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * du
    }
}
