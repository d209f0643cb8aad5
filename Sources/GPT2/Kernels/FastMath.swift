import Foundation

/// Elementary functions used in the hot loops.
public enum FastMath {
    /// tanh(x) = 1 - 2 / (exp(2x) + 1); saturates cleanly for large |x|.
    @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        if x > 9 { return 1 }
        if x < -9 { return -1 }
        let e = Foundation.exp(2 * x)
        return (e - 1) / (e + 1)
    }
}
