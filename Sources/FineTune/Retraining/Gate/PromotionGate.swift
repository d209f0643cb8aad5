import Foundation

/// Decides whether a retrained candidate replaces the active model, from the two models'
/// predictions on the same held-out messages (``PairedComparison`` per holdout: balanced
/// accuracy, an interval for the difference, McNemar's exact test).
///
/// A holdout *shows* a difference when its interval excludes 0, McNemar's p-value is below
/// 1 - confidence (so three lucky messages never count), and the messages only one model got
/// right lean the same way. Then, in order:
///
/// 1. **reject** when a holdout shows the candidate worse by more than the tolerance, or the
///    weighted difference over the holdouts is below minus the tolerance with confidence;
/// 2. **inconclusive** when a holdout is worse by more than the tolerance but cannot show it, or
///    the holdouts leave some label unseen: the active model stays;
/// 3. **promote** when the weighted difference is above 0 with confidence and some holdout
///    shows the candidate better;
/// 4. otherwise **inconclusive**: too little evidence either way, and the active model stays.
///
/// A candidate with nothing to compare against (the first model) is promoted.
public struct PromotionGate: Sendable, Equatable {
    /// The holdouts a run scores: held-out labels, and held-out seed data.
    public static let holdouts = ["labels", "seed"]

    public struct Settings: Sendable, Equatable {
        /// Largest drop in balanced accuracy accepted on any holdout (0.01 = one point).
        public var tolerance = 0.01
        /// Of the intervals and tests (0.95: p below 0.05).
        public var confidence = 0.95
        /// How much each holdout counts in the weighted difference; 0 leaves it out.
        public var weights: [String: Double] = ["labels": 1, "seed": 1]

        public init() {}
    }

    public enum Decision: String, Sendable, Codable {
        case promote, reject, inconclusive
    }

    /// One holdout's pair of predictions.
    public struct Holdout: Sendable {
        public var actual: [Int]
        public var active: [Int]
        public var candidate: [Int]

        public init(actual: [Int], active: [Int], candidate: [Int]) {
            self.actual = actual
            self.active = active
            self.candidate = candidate
        }
    }

    public struct Verdict: Sendable, Equatable, Codable {
        public var decision: Decision
        /// Why, in words: one line per holdout, then the weighted difference and the decision.
        public var reasons: [String]
        public var holdouts: [String: PairedComparison]
        /// The weighted difference over the holdouts; nil without an active model.
        public var combined: PairedComparison?

        public var promote: Bool { decision == .promote }
    }

    public var settings: Settings

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// - Parameters:
    ///   - holdouts: by name (``holdouts``); nil when there is no active model to compare with.
    ///   - labels: the label names, by row.
    public func judge(_ holdouts: [String: Holdout]?, labels: [String]) -> Verdict {
        guard let holdouts else {
            return Verdict(decision: .promote, reasons: ["no active model to compare with: the first model is promoted"],
                           holdouts: [:], combined: nil)
        }
        let alpha = 1 - settings.confidence
        let weighted = holdouts.filter { !$0.value.actual.isEmpty && (settings.weights[$0.key] ?? 0) > 0 }
        let comparisons = holdouts.filter { !$0.value.actual.isEmpty }.mapValues {
            PairedComparison(actual: $0.actual, active: $0.active, candidate: $0.candidate, confidence: settings.confidence)
        }
        var reasons: [String] = []
        var worse = false, unsure = false, better = false
        for name in comparisons.keys.sorted() {
            let c = comparisons[name]!
            let counted = weighted[name] != nil
            let shows = c.pValue < alpha
            let (showsBetter, showsWorse) = (shows && c.candidateOnly > c.activeOnly, shows && c.activeOnly > c.candidateOnly)
            let line = "\(name): balanced accuracy \(percent(c.activeBalancedAccuracy)) -> \(percent(c.candidateBalancedAccuracy)) "
                + "(\(signed(c.difference)), interval \(signed(c.low)) to \(signed(c.high)); "
                + "\(c.candidateOnly) messages only the candidate got right, \(c.activeOnly) only the active model, p = \(pValue(c.pValue)))"
            let verdict: String
            if !counted {
                verdict = "weight 0: not counted"
            } else if c.difference < -settings.tolerance && c.high < 0 && showsWorse {
                worse = true
                verdict = "worse beyond the tolerance of \(points(settings.tolerance))"
            } else if c.difference < -settings.tolerance {
                unsure = true
                verdict = "lower by more than the tolerance of \(points(settings.tolerance)), and too few messages to tell whether it is real"
            } else if c.low > 0 && showsBetter {
                better = true
                verdict = "better"
            } else if c.high < 0 && showsWorse {
                verdict = "slightly worse, within the tolerance of \(points(settings.tolerance))"
            } else {
                verdict = "no clear difference"
            }
            reasons.append(line + ": " + verdict)
        }
        // Every label must be held out somewhere, or a model calling everything one label could pass.
        for (row, label) in labels.enumerated() where !weighted.values.contains(where: { $0.actual.contains(row) }) {
            unsure = true
            reasons.append("no held-out \(label) messages: the candidate cannot be shown no worse on \(label) "
                + "(label some \(label) messages, or set retrain.seed_data)")
        }
        let combined = combine(weighted.keys.compactMap { name in comparisons[name].map { (name, $0) } })
        if let combined {
            reasons.append("weighted over the holdouts: \(signed(combined.difference)) (interval \(signed(combined.low)) to \(signed(combined.high)))")
        }
        let decision: Decision
        if worse || combined.map({ $0.high < 0 && $0.difference < -settings.tolerance }) == true {
            decision = .reject
            reasons.append("rejected: the candidate is worse")
        } else if unsure || combined == nil {
            decision = .inconclusive
            reasons.append("inconclusive: not enough evidence that the candidate is no worse; the active model stays")
        } else if combined!.low > 0 && better {
            decision = .promote
            reasons.append("promoted: the candidate is better")
        } else if better {
            decision = .inconclusive
            reasons.append("inconclusive: a holdout shows the candidate better, but the weighted difference's interval "
                + "reaches \(signed(combined!.low)), not above zero; the active model stays")
        } else {
            decision = .inconclusive
            reasons.append("inconclusive: no holdout shows the candidate better; the active model stays")
        }
        return Verdict(decision: decision, reasons: reasons, holdouts: comparisons, combined: combined)
    }

    /// The weighted mean of the holdouts' differences, with the interval of independent estimates.
    private func combine(_ parts: [(String, PairedComparison)]) -> PairedComparison? {
        guard !parts.isEmpty else { return nil }
        let total = parts.reduce(0.0) { $0 + (settings.weights[$1.0] ?? 0) }
        var result = parts[0].1
        (result.examples, result.activeOnly, result.candidateOnly) = (0, 0, 0)
        (result.activeBalancedAccuracy, result.candidateBalancedAccuracy, result.center) = (0, 0, 0)
        var variance = 0.0
        for (name, c) in parts {
            let w = (settings.weights[name] ?? 0) / total
            result.examples += c.examples
            result.activeOnly += c.activeOnly
            result.candidateOnly += c.candidateOnly
            result.activeBalancedAccuracy += w * c.activeBalancedAccuracy
            result.candidateBalancedAccuracy += w * c.candidateBalancedAccuracy
            result.center += w * c.center
            variance += w * w * c.standardError * c.standardError
        }
        result.difference = result.candidateBalancedAccuracy - result.activeBalancedAccuracy
        result.standardError = variance.squareRoot()
        let z = PairedComparison.normalQuantile(0.5 + settings.confidence / 2)
        result.low = max(-1, result.center - z * result.standardError)
        result.high = min(1, result.center + z * result.standardError)
        result.pValue = PairedComparison.mcNemarExact(result.activeOnly, result.candidateOnly)
        return result
    }

    private func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
    private func signed(_ value: Double) -> String { String(format: "%+.2f", value * 100) }
    private func points(_ value: Double) -> String { String(format: "%.2g point%@", value * 100, value == 0.01 ? "" : "s") }
    private func pValue(_ p: Double) -> String { p < 0.0001 ? "< 0.0001" : String(format: "%.4f", p) }
}
