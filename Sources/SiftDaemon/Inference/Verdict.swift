import FineTune

/// What a message is, as an MTA or a person acts on it: the model's spam probability against the
/// configured thresholds (``ClassifyThresholds``). `unsure` is the band an operator may want to
/// look at rather than trust either way; with no `ham_threshold` there is none.
public enum Verdict: String, Sendable, Equatable, CaseIterable {
    case spam, ham, unsure
}

/// `classify.spam_threshold` and `classify.ham_threshold`: where a spam probability becomes a
/// verdict. P(spam) ≥ spam threshold: spam; below the ham threshold (the spam threshold when
/// unset): ham; in between: unsure. bogofilter's spam_cutoff and ham_cutoff, in the same order.
public struct ClassifyThresholds: Sendable, Equatable {
    public var spam: Double
    public var ham: Double?

    public init(spam: Double = 0.5, ham: Double? = nil) {
        self.spam = spam
        self.ham = ham
    }

    public func verdict(spamProbability p: Double) -> Verdict {
        if p >= spam { return .spam }
        if p < (ham ?? spam) { return .ham }
        return .unsure
    }

    /// Which of a model's labels is "spam": the label `sift eval` reports on.
    public static func spamIndex(of labels: [String]) -> Int? {
        Evaluation.positiveIndex(of: labels)
    }

    /// The label a prediction is stored and answered with: for a spam/ham model, the spam label
    /// from the spam threshold on (an unsure message is stored as ham: it was not called spam),
    /// else the other label; for any other model, the most probable label.
    func decide(labels: [String], probabilities: [Float]) -> Decision {
        let top = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        guard let spamIndex = Self.spamIndex(of: labels), labels.count == 2 else {
            return Decision(labelIndex: top, verdict: nil, spamProbability: nil)
        }
        let p = Double(probabilities[spamIndex]).clamped(to: 0...1)
        let verdict = verdict(spamProbability: p)
        return Decision(labelIndex: verdict == .spam ? spamIndex : 1 - spamIndex, verdict: verdict, spamProbability: p)
    }

    struct Decision {
        var labelIndex: Int
        var verdict: Verdict?
        var spamProbability: Double?
    }
}
