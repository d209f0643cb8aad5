import Foundation
import GPT2
import GPT2Tokenizer
import Synchronization

/// A classifier ready to answer: the engine, the tokenizer that feeds it, and its version.
public final class ServingModel: Sendable {
    /// Recorded with every prediction; `models` and every `classify` reply show it.
    public let version: String
    public let classifier: Classifier
    public let tokenizer: BPETokenizer
    /// Engines of batch workers after the first, made on first use (see ``engine(forWorker:)``).
    private let replicas = Mutex<[Int: Classifier]>([:])

    public init(version: String, classifier: Classifier, tokenizer: BPETokenizer) {
        self.version = version
        self.classifier = classifier
        self.tokenizer = tokenizer
    }

    public var labels: [String] { classifier.labels }

    /// The classifier batch worker `index` runs: worker 0 uses ``classifier``; each other gets a
    /// copy sharing its weights but with activation buffers of its own, since a forward pass
    /// holds its model's buffers (``GPT2Model`` lets one pass run at a time). The copies live as
    /// long as this model, so a swap frees them with it.
    func engine(forWorker index: Int) -> Classifier {
        guard index > 0 else { return classifier }
        return replicas.withLock { replicas in
            if let replica = replicas[index] { return replica }
            let replica = Classifier(model: GPT2Model(weights: classifier.model.weights), head: classifier.head, pooling: classifier.pooling)
            replicas[index] = replica
            return replica
        }
    }
}

/// Where the daemon gets the model to serve, at start and on every reload. The retraining loop
/// plugs in here: after a promotion it asks the ``ModelProvider`` to reload from this source.
public protocol ModelSource: Sendable {
    func load(_ config: DaemonConfig) throws -> ServingModel
}

/// Serves one model that was built elsewhere (benchmarks, tests); reloads keep it.
public struct FixedModelSource: ModelSource {
    public let model: ServingModel
    public init(_ model: ServingModel) { self.model = model }
    public func load(_ config: DaemonConfig) throws -> ServingModel { model }
}
