import Foundation
import GPT2
import GPT2Tokenizer

/// A classifier ready to answer: the engine, the tokenizer that feeds it, and its version.
public final class ServingModel: Sendable {
    /// Recorded with every prediction; `models` and every `classify` reply show it.
    public let version: String
    public let classifier: Classifier
    public let tokenizer: BPETokenizer

    public init(version: String, classifier: Classifier, tokenizer: BPETokenizer) {
        self.version = version
        self.classifier = classifier
        self.tokenizer = tokenizer
    }

    public var labels: [String] { classifier.labels }
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
