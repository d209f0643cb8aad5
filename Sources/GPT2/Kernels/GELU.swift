import Foundation

/// GELU with the tanh approximation (`gelu_new` in transformers, GPT-2's activation).
public enum GELU {
    static let scale = Float((2.0 / Double.pi).squareRoot())

    /// out[i] = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))); out may alias x. Shape: [count]
    public static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            out[i] = 0.5 * v * (1 + FastMath.tanh(scale * (v + 0.044715 * v * v * v)))
        }
    }
}
