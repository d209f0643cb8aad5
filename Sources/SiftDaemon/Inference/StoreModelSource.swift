import Foundation
import GPT2
import GPT2Tokenizer
import SpamStore

/// The model siftd serves: what ``ClassifierLocation`` finds, on the configured base model.
public struct StoreModelSource: ModelSource {
    public let store: any SiftStore

    public init(store: any SiftStore) { self.store = store }

    public func load(_ config: DaemonConfig) throws -> ServingModel {
        let base = try config.requireBaseModelDirectory()
        guard let location = try ClassifierLocation.resolve(config, store: store) else {
            throw DaemonConfigError(key: "model.classifier", """
                no classifier: the model registry has no active model and there is no file at \
                \(ClassifierLocation.configuredFile(config).path). Train a first one with `siftd train` \
                (a cold start from the base model and retrain.seed_data) or `sift train`, or set model.classifier
                """)
        }
        let pooling = config.model.pooling.flatMap(Pooling.init)
        let tokenizer = try BPETokenizer(directory: base)
        let classifier = try Classifier(baseDirectory: base, classifierFile: location.file, pooling: pooling,
                                        precision: config.model.servedPrecision)
        try classifier.checkFinite(source: location.file.path)
        return ServingModel(version: location.version, classifier: classifier, tokenizer: tokenizer)
    }
}
