import FineTune
import Foundation
import SiftJSON

/// What a training run records with its model: the data, the holdout scores of the candidate
/// and of the model it was compared with, and the gate's decision. Stored as the run's and the
/// model's metrics JSON; `sift models` reads it back.
public struct RetrainReport: Codable, Sendable, Equatable {
    enum CodingKeys: String, CodingKey {
        case warmStart = "warm_start"
        case trainingExamples = "training_examples"
        case fromLabels = "from_labels"
        case fromReplay = "from_replay"
        case candidate, active, promoted, decision, reasons, gate, combined, strategy, seconds
    }

    /// The version trained on top of; nil for a cold start.
    public var warmStart: String?
    public var trainingExamples: Int
    public var fromLabels: Int
    public var fromReplay: Int
    /// Holdout scores by set (`labels`, `seed`).
    public var candidate: [String: Evaluation]
    public var active: [String: Evaluation]?
    public var promoted: Bool
    /// promote, reject or inconclusive (``PromotionGate``); nil in reports older than the paired gate.
    public var decision: PromotionGate.Decision?
    public var reasons: [String]
    /// The paired comparison per holdout, and weighted over them.
    public var gate: [String: PairedComparison]?
    public var combined: PairedComparison?
    /// cold, warm or joint.
    public var strategy: String?
    public var seconds: Double

    /// Compact JSON with sorted keys, as stored; `{}` when a figure is not finite.
    public var json: String { (try? JSONValue(encoding: self)).map { JSONWriter.string($0.sortedKeys) } ?? "{}" }

    public static func decode(_ json: String) -> RetrainReport? {
        try? JSONDecoder().decode(RetrainReport.self, from: Data(json.utf8))
    }
}
