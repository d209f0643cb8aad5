import Foundation

/// `Linear(C, K)` with bias on the pooled hidden state, plus the label names of its rows.
public struct ClassifierHead: @unchecked Sendable {
    public var weight: Tensor  // [K, C] (PyTorch Linear layout)
    public var bias: Tensor    // [K]
    public var labels: [String]

    public init(weight: Tensor, bias: Tensor, labels: [String]) throws {
        guard weight.shape.count == 2, bias.shape == [weight.shape[0]] else {
            throw GPT2Error.wrongShape(name: "score.bias", expected: [weight.shape.first ?? 0], got: bias.shape)
        }
        guard labels.count == weight.shape[0] else {
            throw GPT2Error.invalidInput("the head has \(weight.shape[0]) rows but \(labels.count) label names \(labels)")
        }
        guard Set(labels).count == labels.count, !labels.contains("") else {
            throw GPT2Error.invalidInput("label names must be distinct and non-empty, got \(labels)")
        }
        self.weight = weight
        self.bias = bias
        self.labels = labels
    }

    public var classes: Int { weight.shape[0] }
    public var channels: Int { weight.shape[1] }

    /// logits[B, K] = hidden[B, C] · weightᵀ + bias
    public func logits(hidden: [Float], rows: Int) -> [Float] {
        let (k, c) = (classes, channels)
        var out = [Float](repeating: 0, count: rows * k)
        hidden.withUnsafeBufferPointer { h in
            for r in 0..<rows {
                for j in 0..<k {
                    var s = bias.pointer[j]
                    let wr = weight.pointer + j * c
                    let hr = h.baseAddress! + r * c
                    for i in 0..<c { s += hr[i] * wr[i] }
                    out[r * k + j] = s
                }
            }
        }
        return out
    }

    /// Softmax of one row of logits.
    public static func probabilities(_ logits: ArraySlice<Float>) -> [Float] {
        let m = logits.max() ?? 0
        let e = logits.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}
