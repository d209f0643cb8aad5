import Foundation

/// One classification result.
public struct Prediction: Sendable, Equatable {
    public var labelIndex: Int
    public var label: String
    /// Softmax of the logits, in the head's label order.
    public var probabilities: [Float]
    public var logits: [Float]
    /// Tokens the model actually read (after truncation and padding).
    public var tokens: Int
}

/// A GPT-2 with a classification head and a pooling rule: token ids in, predictions out.
/// Tokenization is the caller's (the daemon and CLI use GPT2Tokenizer), keeping this module
/// free of text handling.
public final class Classifier: @unchecked Sendable {
    public let model: GPT2Model
    public let head: ClassifierHead
    public let pooling: Pooling

    public init(model: GPT2Model, head: ClassifierHead, pooling: Pooling) {
        precondition(head.channels == model.config.channels, "head width \(head.channels) != model width \(model.config.channels)")
        self.model = model
        self.head = head
        self.pooling = pooling
    }

    /// Base model directory plus a classifier file (default: `head.safetensors` in the base directory).
    /// `pooling` overrides the file's; without either it is `.last`. The blocks before the first
    /// one the file trained (and never the last) compute in `precision`.
    public convenience init(baseDirectory: URL, classifierFile: URL?, pooling: Pooling?, precision: Precision = .fp32) throws {
        let base = try GPT2Weights.load(directory: baseDirectory)
        let url = classifierFile ?? baseDirectory.appendingPathComponent("head.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw GPT2Error.fileUnreadable(path: url.path, reason: "no classifier file (pass one, or train one with `sift train`)")
        }
        let loaded = try ClassifierFile.load(url, base: base)
        let chosen = pooling ?? loaded.pooling ?? .last
        if case let .padded(n) = chosen, n > base.config.contextLength {
            throw GPT2Error.invalidInput("padded:\(n) is longer than the model's context of \(base.config.contextLength)")
        }
        let frozen = Self.frozenBlocks(layers: base.config.layers, trained: loaded.trainedBlocks)
        self.init(model: try GPT2Model(weights: loaded.weights, precision: precision, frozen: frozen), head: loaded.head, pooling: chosen)
    }

    /// The blocks serving may run in a reduced precision: those before the first trained block,
    /// and never the last, which serving computes for the pooled rows only, in fp32.
    public static func frozenBlocks(layers: Int, trained: [Int]) -> Range<Int> {
        0..<max(0, min(trained.min() ?? layers, layers - 1))
    }

    public var labels: [String] { head.labels }

    /// Classifies a batch of token-id sequences in one packed forward pass.
    public func classify(tokenIDs: [[Int]]) -> [Prediction] {
        guard !tokenIDs.isEmpty else { return [] }
        let prepared = tokenIDs.map { pooling.prepare($0, contextLength: model.config.contextLength) }
        let hidden = model.forwardPooled(PackedBatch(sequences: prepared))
        let logits = head.logits(hidden: hidden, rows: prepared.count)
        let k = head.classes
        return prepared.indices.map { i in
            let row = Array(logits[(i * k)..<((i + 1) * k)])
            let probabilities = ClassifierHead.probabilities(row[...])
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            return Prediction(labelIndex: best, label: head.labels[best], probabilities: probabilities, logits: row,
                              tokens: prepared[i].count)
        }
    }
}
