import Checksum
import Foundation
import GPT2
import GPT2Tokenizer
import SpamStore

/// The model siftd serves: the registry's active model when there is one, else the classifier
/// named in the config (`model.classifier`, default head.safetensors in `model.base`).
///
/// A registry model's `path` is its directory (holding `classifier.safetensors`) or the file.
/// The configured classifier's version is `configured-` and the first 12 hex digits of the
/// file's SHA-256, so predictions made by different files are told apart in the store.
public struct StoreModelSource: ModelSource {
    public let store: Store

    public init(store: Store) { self.store = store }

    public func load(_ config: DaemonConfig) throws -> ServingModel {
        let base = URL(fileURLWithPath: config.baseModelDirectory)
        guard FileManager.default.fileExists(atPath: base.appendingPathComponent("config.json").path) else {
            throw DaemonConfigError(key: "model.base", "\(base.path) is not a model directory (no config.json)")
        }
        let pooling = config.model.pooling.flatMap(Pooling.init)
        let tokenizer = try BPETokenizer(directory: base)
        if let active = try store.activeModel() {
            var file = URL(fileURLWithPath: active.path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), isDirectory.boolValue {
                file.appendPathComponent("classifier.safetensors")
            }
            let classifier = try Classifier(baseDirectory: base, classifierFile: file, pooling: pooling)
            return ServingModel(version: active.version, classifier: classifier, tokenizer: tokenizer)
        }
        let file = config.model.classifier.map { URL(fileURLWithPath: $0) } ?? base.appendingPathComponent("head.safetensors")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw DaemonConfigError(key: "model.classifier", "no classifier file at \(file.path)")
        }
        let classifier = try Classifier(baseDirectory: base, classifierFile: file, pooling: pooling)
        let version = "configured-" + String(try SHA256.hex(contentsOf: file).prefix(12))
        return ServingModel(version: version, classifier: classifier, tokenizer: tokenizer)
    }
}
