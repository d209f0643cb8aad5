import Foundation
import SiftJSON

/// Loss and classification quality of a model on one set of examples.
public struct Evaluation: Sendable, Equatable, Codable {
    public struct LabelMetrics: Sendable, Equatable, Codable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    enum CodingKeys: String, CodingKey {
        case examples, loss, accuracy, precision, recall, f1, confusion
        case positiveLabel = "positive_label"
        case perLabel = "per_label"
    }

    public var examples: Int
    /// Mean cross-entropy.
    public var loss: Double
    public var accuracy: Double
    /// The label precision/recall/F1 are about: `spam` when there is one, else the second of two
    /// labels; nil for more than two labels, where they are macro averages.
    public var positiveLabel: String?
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var perLabel: [LabelMetrics]
    public var confusion: ConfusionMatrix

    public init(confusion: ConfusionMatrix, loss: Double) {
        self.confusion = confusion
        self.loss = loss
        examples = confusion.total
        accuracy = confusion.accuracy
        perLabel = confusion.labels.indices.map {
            LabelMetrics(label: confusion.labels[$0], precision: confusion.precision($0), recall: confusion.recall($0),
                         f1: confusion.f1($0), support: confusion.support($0))
        }
        let labels = confusion.labels
        let positive = Self.positiveIndex(of: labels)
        if let positive {
            positiveLabel = labels[positive]
            (precision, recall, f1) = (perLabel[positive].precision, perLabel[positive].recall, perLabel[positive].f1)
        } else {
            positiveLabel = nil
            let n = Double(max(1, perLabel.count))
            precision = perLabel.map(\.precision).reduce(0, +) / n
            recall = perLabel.map(\.recall).reduce(0, +) / n
            f1 = perLabel.map(\.f1).reduce(0, +) / n
        }
    }

    /// Which label precision and recall are about, and siftd's thresholds apply to: the one named
    /// `spam`, else the second of two (the order `sift prepare-data` gives ham/spam data); nil for
    /// more labels and none named spam.
    public static func positiveIndex(of labels: [String]) -> Int? {
        labels.firstIndex(of: "spam") ?? (labels.count == 2 ? 1 : nil)
    }

    /// Compact JSON (sorted keys) for checkpoint metadata and `--json` output; `{}` when a
    /// figure is not finite (JSON has no NaN).
    public var json: String { (try? JSONValue(encoding: self)).map { JSONWriter.string($0.sortedKeys) } ?? "{}" }

    /// Several named evaluations (`train`, `validation`, `test`) as one JSON object.
    public static func json(_ named: [String: Evaluation]) -> String {
        (try? JSONValue(encoding: named)).map { JSONWriter.string($0.sortedKeys) } ?? "{}"
    }

    /// A few readable lines: accuracy, loss, precision/recall/F1, and the confusion matrix.
    public var summary: String {
        var lines = [String(format: "%d examples  accuracy %.2f%%  loss %.4f", examples, accuracy * 100, loss)]
        let which = positiveLabel.map { "(\($0) positive)" } ?? "(macro average)"
        lines.append(String(format: "precision %.4f  recall %.4f  F1 %.4f ", precision, recall, f1) + which)
        let width = max(8, (confusion.labels.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        lines.append(pad("actual \\ predicted", 18) + confusion.labels.map { pad($0, width) }.joined())
        for (i, row) in confusion.counts.enumerated() {
            lines.append(pad(confusion.labels[i], 18) + row.map { pad(String($0), width) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
