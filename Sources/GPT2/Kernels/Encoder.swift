/// Token plus position embedding for packed sequences.
public enum Encoder {
    /// out[n, :] = wte[tokens[n], :] + wpe[positions[n], :]
    /// out: [N, C], wte: [V, C], wpe: [maxT, C]
    public static func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>,
                               n: Int, wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, c: Int) {
        for row in 0..<n {
            let o = out + row * c
            let t = wte + Int(tokens[row]) * c
            let p = wpe + Int(positions[row]) * c
            for i in 0..<c { o[i] = t[i] + p[i] }
        }
    }
}

extension Encoder {
    /// dwte[tokens[n]] += dout[n]; dwpe[positions[n]] += dout[n]. dout: [N, C]
    /// Either table may be nil when it does not train.
    public static func backward(dwte: UnsafeMutablePointer<Float>?, dwpe: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                                tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>, n: Int, c: Int) {
        for row in 0..<n {
            let d = dout + row * c
            if let dwte {
                let t = dwte + Int(tokens[row]) * c
                for i in 0..<c { t[i] += d[i] }
            }
            if let dwpe {
                let p = dwpe + Int(positions[row]) * c
                for i in 0..<c { p[i] += d[i] }
            }
        }
    }
}
