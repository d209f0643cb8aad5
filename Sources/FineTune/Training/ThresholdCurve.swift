import Foundation

/// Precision and recall of the spam label at a range of thresholds on its probability: what an
/// operator reads to choose `classify.spam_threshold` (fewer false positives against more spam caught).
public struct ThresholdCurve: Sendable, Equatable, Codable {
    public struct Point: Sendable, Equatable, Codable {
        public var threshold: Double
        /// Of the messages called spam, the share that is spam; nil when none is called spam.
        public var precision: Double?
        /// Of the spam, the share called spam; nil when there is no spam.
        public var recall: Double?
        /// Of the ham, the share called spam; nil when there is no ham.
        public var falsePositiveRate: Double?
        public var spamCaught: Int
        public var hamCalledSpam: Int

        enum CodingKeys: String, CodingKey {
            case threshold, precision, recall
            case falsePositiveRate = "false_positive_rate"
            case spamCaught = "spam_caught"
            case hamCalledSpam = "ham_called_spam"
        }
    }

    public var spam: Int
    public var ham: Int
    public var points: [Point]

    /// Dense where operators choose: around the middle, and near 1 for mail.
    public static let standardThresholds: [Double] = [
        0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999,
    ]

    /// `scores`: each message's spam probability and whether it is spam.
    public init(scores: [(spamProbability: Double, isSpam: Bool)], thresholds: [Double] = standardThresholds) {
        let spam = scores.count { $0.isSpam }
        self.spam = spam
        ham = scores.count - spam
        let ham = self.ham
        points = thresholds.map { threshold in
            let caught = scores.count { $0.isSpam && $0.spamProbability >= threshold }
            let flagged = scores.count { !$0.isSpam && $0.spamProbability >= threshold }
            return Point(
                threshold: threshold,
                precision: caught + flagged == 0 ? nil : Double(caught) / Double(caught + flagged),
                recall: spam == 0 ? nil : Double(caught) / Double(spam),
                falsePositiveRate: ham == 0 ? nil : Double(flagged) / Double(ham),
                spamCaught: caught, hamCalledSpam: flagged)
        }
    }

    /// One line per threshold; "-" where a figure has no denominator.
    public var table: String {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "-" }
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var lines = ["threshold  precision     recall   ham→spam   spam caught   ham called spam"]
        for point in points {
            lines.append(
                pad(String(format: "%g", point.threshold), 9) + pad(percent(point.precision), 11) + pad(percent(point.recall), 11)
                    + pad(percent(point.falsePositiveRate), 11) + pad("\(point.spamCaught)/\(spam)", 14)
                    + pad("\(point.hamCalledSpam)/\(ham)", 18))
        }
        return lines.joined(separator: "\n")
    }
}
