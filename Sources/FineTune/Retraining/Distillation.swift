import Foundation

/// Soft targets for "Learning without Forgetting" (Li and Hoiem, 2016): a replayed example is
/// trained toward a mix of its label and what the model being replaced said of it, so a
/// warm start keeps the active model's judgement on the old data, not just its labels.
public enum Distillation {
    /// Targets [N, K]: one-hot labels, except for the `distilled` rows, which become
    /// (1 - weight) · one-hot + weight · softmax(teacher logits).
    public static func targets(labels: [Int32], teacher: [[Float]], distilled: [Bool], weight: Float) -> [Float] {
        precondition(labels.count == teacher.count && labels.count == distilled.count, "one teacher row and flag per example")
        var out: [Float] = []
        for (i, logits) in teacher.enumerated() {
            let top = logits.max() ?? 0
            let exps = logits.map { exp($0 - top) }
            let sum = exps.reduce(0, +)
            for j in logits.indices {
                let hard: Float = j == Int(labels[i]) ? 1 : 0
                out.append(distilled[i] ? (1 - weight) * hard + weight * exps[j] / sum : hard)
            }
        }
        return out
    }
}
