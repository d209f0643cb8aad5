/// Decides whether a retrained candidate may replace the active model: on every holdout set,
/// its accuracy and its recall of the positive label (spam) must not fall more than a tolerance
/// below the active model's. A candidate with nothing to compare against (the first model) passes;
/// one that cannot be scored (no holdout examples, or none of some label) does not, since it
/// cannot be shown no worse.
public struct PromotionGate: Sendable, Equatable {
    /// Largest accepted drop in accuracy (0.01 = one percentage point).
    public var accuracyTolerance: Double
    /// Largest accepted drop in spam recall.
    public var recallTolerance: Double

    public init(accuracyTolerance: Double, recallTolerance: Double) {
        self.accuracyTolerance = accuracyTolerance
        self.recallTolerance = recallTolerance
    }

    public struct Verdict: Sendable, Equatable {
        public var promote: Bool
        /// Why, one line per holdout set and figure checked.
        public var reasons: [String]
    }

    /// - Parameters:
    ///   - candidate: the candidate's scores per holdout set (e.g. `labels`, `seed`).
    ///   - active: the active model's scores on the same sets; nil when there is no active model.
    public func judge(candidate: [String: Evaluation], active: [String: Evaluation]?) -> Verdict {
        let scored = candidate.filter { $0.value.examples > 0 }
        guard let active else {
            return Verdict(promote: true, reasons: ["no active model to compare with: the first model is promoted"])
        }
        guard !scored.isEmpty else {
            return Verdict(promote: false, reasons: ["no holdout examples: the candidate cannot be shown to be no worse"])
        }
        var promote = true
        var reasons: [String] = []
        // A holdout of spam alone cannot see a model that now calls everything spam.
        let labels = scored.values.first?.confusion.labels ?? []
        for label in labels where !scored.values.contains(where: { set in set.perLabel.contains { $0.label == label && $0.support > 0 } }) {
            promote = false
            reasons.append("no held-out \(label) examples: the candidate cannot be shown to be no worse on \(label) "
                + "(label some \(label) messages, or set retrain.seed_data)")
        }
        for name in scored.keys.sorted() {
            let new = scored[name]!
            guard let old = active[name] else { continue }
            func check(_ figure: String, _ newValue: Double, _ oldValue: Double, _ tolerance: Double) {
                let ok = newValue >= oldValue - tolerance
                promote = promote && ok
                reasons.append("\(name) \(figure) \(percent(oldValue)) -> \(percent(newValue)) (tolerance \(percent(tolerance))): "
                    + (ok ? "ok" : "worse"))
            }
            check("accuracy", new.accuracy, old.accuracy, accuracyTolerance)
            // Recall means nothing on a set without positives.
            if let positive = new.positiveLabel, (new.perLabel.first { $0.label == positive }?.support ?? 0) > 0 {
                check("\(positive) recall", new.recall, old.recall, recallTolerance)
            }
        }
        return Verdict(promote: promote, reasons: reasons)
    }

    private func percent(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 100
        return "\(scaled)%"
    }
}
