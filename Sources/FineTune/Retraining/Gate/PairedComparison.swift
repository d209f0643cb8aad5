import Foundation

/// Two models' predictions on the same held-out messages, compared as a pair: the difference in
/// balanced accuracy (the mean of per-label recall, so a model that calls everything one label
/// scores 1/K however the holdout is made up), an interval for it, and McNemar's exact test on
/// the messages where exactly one of the two is right.
///
/// The interval is Agresti and Min's adjusted Wald interval for a difference of paired
/// proportions (half a message added to each cell of each label's 2×2 table), per label, and
/// the labels' independent estimates averaged. It behaves at the sizes a holdout of recent
/// labels has (tens of messages), where the plain Wald and the bootstrap are far too sure.
public struct PairedComparison: Sendable, Equatable, Codable {
    enum CodingKeys: String, CodingKey {
        case examples
        case activeBalancedAccuracy = "active_balanced_accuracy"
        case candidateBalancedAccuracy = "candidate_balanced_accuracy"
        case difference, low, high
        case activeOnly = "active_only_right"
        case candidateOnly = "candidate_only_right"
        case pValue = "p_value"
    }

    public var examples: Int
    public var activeBalancedAccuracy: Double
    public var candidateBalancedAccuracy: Double
    /// candidate - active, in balanced accuracy.
    public var difference: Double
    /// The interval for `difference` at the confidence it was made with.
    public var low: Double
    public var high: Double
    /// Messages only the active model got right, and only the candidate.
    public var activeOnly: Int
    public var candidateOnly: Int
    /// McNemar's exact two-sided p-value on the discordant messages.
    public var pValue: Double
    /// The standard error behind the interval (kept to combine holdouts).
    var standardError: Double = 0
    var center: Double = 0

    /// - Parameters:
    ///   - actual, active, candidate: label rows per message, in the same order.
    ///   - confidence: of the interval, e.g. 0.95.
    public init(actual: [Int], active: [Int], candidate: [Int], confidence: Double) {
        precondition(actual.count == active.count && actual.count == candidate.count, "one prediction per message from each model")
        examples = actual.count
        var tables: [Int: (n: Int, activeRight: Int, candidateRight: Int, activeOnly: Int, candidateOnly: Int)] = [:]
        for i in actual.indices {
            var t = tables[actual[i]] ?? (0, 0, 0, 0, 0)
            let (a, c) = (active[i] == actual[i], candidate[i] == actual[i])
            t.n += 1
            if a { t.activeRight += 1 }
            if c { t.candidateRight += 1 }
            if a && !c { t.activeOnly += 1 }
            if c && !a { t.candidateOnly += 1 }
            tables[actual[i]] = t
        }
        let k = Double(max(1, tables.count))
        var (activeBA, candidateBA, center, variance) = (0.0, 0.0, 0.0, 0.0)
        for label in tables.keys.sorted() {  // a fixed order: the sums are the same to the last bit every run
            let t = tables[label]!
            let n = Double(t.n)
            activeBA += Double(t.activeRight) / n / k
            candidateBA += Double(t.candidateRight) / n / k
            // Agresti–Min: +0.5 in each cell, so n + 2 and each discordant count + 0.5.
            let (b, c, m) = (Double(t.activeOnly) + 0.5, Double(t.candidateOnly) + 0.5, n + 2)
            center += (c - b) / m / k
            variance += ((b + c) - (c - b) * (c - b) / m) / (m * m) / (k * k)
        }
        activeBalancedAccuracy = actual.isEmpty ? 0 : activeBA
        candidateBalancedAccuracy = actual.isEmpty ? 0 : candidateBA
        difference = candidateBalancedAccuracy - activeBalancedAccuracy
        self.center = actual.isEmpty ? 0 : center
        standardError = actual.isEmpty ? 0 : variance.squareRoot()
        activeOnly = tables.values.reduce(0) { $0 + $1.activeOnly }
        candidateOnly = tables.values.reduce(0) { $0 + $1.candidateOnly }
        pValue = Self.mcNemarExact(activeOnly, candidateOnly)
        let z = Self.normalQuantile(0.5 + confidence / 2)
        (low, high) = actual.isEmpty ? (-1, 1) : (max(-1, self.center - z * standardError), min(1, self.center + z * standardError))
    }

    /// Two-sided exact binomial test of b vs c discordant pairs under p = ½.
    public static func mcNemarExact(_ b: Int, _ c: Int) -> Double {
        let m = b + c
        guard m > 0 else { return 1 }
        let logHalf = Double(m) * log(0.5)
        var tail = 0.0
        for i in 0...min(b, c) { tail += exp(logBinomial(m, i) + logHalf) }
        return min(1, 2 * tail)
    }

    static func logBinomial(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// Φ⁻¹(p) by bisection on erfc (exact to double precision in 100 halvings; called rarely).
    public static func normalQuantile(_ p: Double) -> Double {
        var (lo, hi) = (-10.0, 10.0)
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
