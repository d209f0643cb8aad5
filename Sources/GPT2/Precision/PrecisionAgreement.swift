/// How far a reduced precision's answers are from fp32's on the same token sequences: the
/// figures the accuracy budget is stated in (`sift bench precision`, and the tests that hold it).
public struct PrecisionAgreement: Sendable, Equatable {
    public var texts = 0
    /// max over texts and labels of |logit − fp32 logit|.
    public var maxLogitDifference: Float = 0
    public var meanLogitDifference: Float = 0
    /// Texts given fp32's label.
    public var sameLabel = 0
    /// Texts whose fp32 margin (best logit − runner-up) exceeds `confidentMargin`, and how
    /// many of those changed label: a label may flip only where fp32 itself is undecided.
    public var confident = 0
    public var confidentFlips = 0

    public static let confidentMargin: Float = 0.2

    public var labelAgreement: Double { texts == 0 ? 1 : Double(sameLabel) / Double(texts) }

    /// Classifies `sequences` with both, `batchSize` at a time.
    public static func measure(reference: Classifier, candidate: Classifier, sequences: [[Int]], batchSize: Int = 16) -> PrecisionAgreement {
        var result = PrecisionAgreement()
        var sum: Double = 0
        var start = 0
        while start < sequences.count {
            let batch = Array(sequences[start..<min(start + batchSize, sequences.count)])
            start += batchSize
            for (a, b) in zip(reference.classify(tokenIDs: batch), candidate.classify(tokenIDs: batch)) {
                result.texts += 1
                for (x, y) in zip(a.logits, b.logits) {
                    let d = abs(x - y)
                    result.maxLogitDifference = max(result.maxLogitDifference, d)
                    sum += Double(d) / Double(a.logits.count)
                }
                if a.labelIndex == b.labelIndex { result.sameLabel += 1 }
                let sorted = a.logits.sorted(by: >)
                if sorted.count > 1, sorted[0] - sorted[1] > confidentMargin {
                    result.confident += 1
                    if a.labelIndex != b.labelIndex { result.confidentFlips += 1 }
                }
            }
        }
        result.meanLogitDifference = result.texts == 0 ? 0 : Float(sum / Double(result.texts))
        return result
    }
}

extension GPT2Weights {
    /// These weights with residual channels `channels` of the token and position embeddings
    /// multiplied by `scale`: a random model with the outlier channels real GPT-2 has (a few
    /// residual dimensions far larger than the rest), which is what breaks naive int8.
    public func withOutlierChannels(_ channels: [Int], scale: Float) -> GPT2Weights {
        var out = self
        let c = config.channels
        for keyPath in [\GPT2Weights.wte, \GPT2Weights.wpe] {
            let t = self[keyPath: keyPath].copy()
            for row in 0..<(t.count / c) { for ch in channels where ch < c { t.pointer[row * c + ch] *= scale } }
            out[keyPath: keyPath] = t
        }
        return out
    }
}
