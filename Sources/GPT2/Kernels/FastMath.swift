/// Vectorised elementary functions for the hot loops (libm's scalar exp was ~8% of a forward pass).
public enum FastMath {
    typealias V = SIMD8<Float>

    /// exp(x) for 8 lanes: x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-6 polynomial (Cephes expf),
    /// 2^n by building the float's exponent bits. Relative error about 2e-7 over [-87, 88].
    @inline(__always)
    static func exp(_ x: V) -> V {
        let clamped = x.clamped(lowerBound: V(repeating: -87.3), upperBound: V(repeating: 88.3))
        // Round to nearest by adding 1.5·2^23: the integer lands in the low mantissa bits. Swift's
        // generic SIMD rounding and Float→Int32 conversions are not vectorised; bit casts are.
        let magic = V(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        var r = clamped - n * 0.693_359_375
        r = r - n * -2.121_944_40e-4
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        p = p * r * r + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let bits = (integer &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: V.self)
    }

    /// tanh(x) = 1 - 2 / (e^(2x) + 1), which saturates to ±1 without overflow.
    @inline(__always)
    static func tanh(_ x: V) -> V {
        1 - 2 / (exp(2 * x) + 1)
    }

    /// Scalar versions for tails and small loops.
    @inline(__always)
    public static func tanh(_ x: Float) -> Float { tanh(V(repeating: x))[0] }

    @inline(__always)
    public static func exp(_ x: Float) -> Float { exp(V(repeating: x))[0] }
}
