/// Counts of (actual, predicted) label pairs; rows are the actual label, columns the prediction.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public let labels: [String]
    public private(set) var counts: [[Int]]

    public init(labels: [String]) {
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    public init(labels: [String], counts: [[Int]]) {
        precondition(counts.count == labels.count && counts.allSatisfy { $0.count == labels.count }, "counts must be \(labels.count)x\(labels.count)")
        self.labels = labels
        self.counts = counts
    }

    public mutating func add(actual: Int, predicted: Int) { counts[actual][predicted] += 1 }

    public var total: Int { counts.joined().reduce(0, +) }
    public var correct: Int { labels.indices.reduce(0) { $0 + counts[$1][$1] } }
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Of the examples predicted as `label`, the fraction that are; 0 when nothing was predicted as it.
    public func precision(_ label: Int) -> Double {
        let predicted = labels.indices.reduce(0) { $0 + counts[$1][label] }
        return predicted == 0 ? 0 : Double(counts[label][label]) / Double(predicted)
    }

    /// Of the examples that are `label`, the fraction predicted as it; 0 when there are none.
    public func recall(_ label: Int) -> Double {
        let actual = counts[label].reduce(0, +)
        return actual == 0 ? 0 : Double(counts[label][label]) / Double(actual)
    }

    /// Harmonic mean of precision and recall; 0 when both are 0.
    public func f1(_ label: Int) -> Double {
        let (p, r) = (precision(label), recall(label))
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    public func support(_ label: Int) -> Int { counts[label].reduce(0, +) }
}
