/// Elementwise helpers on the residual stream.
public enum Residual {
    /// out[i] = a[i] + b[i]; shape [count]
    public static func forward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    /// Copies rows `rows[i]` of src [*, C] into dst [rows.count, C].
    public static func gather(dst: UnsafeMutablePointer<Float>, src: UnsafePointer<Float>, rows: [Int], c: Int) {
        for (i, r) in rows.enumerated() { (dst + i * c).update(from: src + r * c, count: c) }
    }
}
