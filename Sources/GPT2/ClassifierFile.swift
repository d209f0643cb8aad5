import Foundation

/// A classifier checkpoint: safetensors holding `score.weight` [K, C], `score.bias` [K] and,
/// optionally, trained tensors under their official names (`h.N.*`, `ln_f.*`) that replace the
/// base model's. Metadata keys are listed in `Key`; all are optional.
public enum ClassifierFile {
    public enum Key {
        /// JSON array of label names in row order, e.g. `["ham","spam"]` (a comma list is accepted too).
        public static let labels = "labels"
        /// `last` or `padded:N`.
        public static let pooling = "pooling"
        /// sha256 of the base model's model.safetensors this was trained on.
        public static let baseSHA256 = "base_sha256"
    }

    public static let defaultLabels = ["ham", "spam"]

    public struct Loaded: @unchecked Sendable {
        public var weights: GPT2Weights
        public var head: ClassifierHead
        public var pooling: Pooling?
        public var metadata: [String: String]
        /// How many base tensors the file replaced (trained blocks and ln_f).
        public var replacedTensors: Int
        /// Blocks the file holds trained tensors of: they stay fp32 in every precision.
        public var trainedBlocks: [Int]
    }

    /// Reads `url` and applies it on top of `base`.
    public static func load(_ url: URL, base: GPT2Weights) throws -> Loaded {
        let file = try SafeTensorsFile(url: url)
        var weights = base
        let replaced = try weights.override(from: file)
        let weight = try file.tensor("score.weight")
        let bias = try file.tensor("score.bias")
        guard weight.shape.count == 2, weight.shape[1] == base.config.channels else {
            throw GPT2Error.wrongShape(name: "score.weight", expected: [weight.shape.first ?? 2, base.config.channels], got: weight.shape)
        }
        let labels = try parseLabels(file.metadata[Key.labels], classes: weight.shape[0], path: url.path)
        var pooling: Pooling?
        if let text = file.metadata[Key.pooling] {
            guard let p = Pooling(text) else {
                throw GPT2Error.invalidInput("\(url.path): metadata pooling \"\(text)\" is not last or padded:N")
            }
            pooling = p
        }
        let head = try ClassifierHead(weight: weight, bias: bias, labels: labels)
        let trainedBlocks = (0..<base.config.layers).filter { layer in
            BlockWeights.names.contains { file.entry("h.\(layer).\($0)") != nil }
        }
        return Loaded(weights: weights, head: head, pooling: pooling, metadata: file.metadata, replacedTensors: replaced,
                      trainedBlocks: trainedBlocks)
    }

    static func parseLabels(_ text: String?, classes: Int, path: String) throws -> [String] {
        guard let text else {
            if classes == defaultLabels.count { return defaultLabels }
            return (0..<classes).map { "class\($0)" }
        }
        if let data = text.data(using: .utf8), let array = try? JSONSerialization.jsonObject(with: data) as? [String] {
            return array
        }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    public static func encodeLabels(_ labels: [String]) -> String {
        let data = try? JSONSerialization.data(withJSONObject: labels)
        return data.flatMap { String(data: $0, encoding: .utf8) } ?? labels.joined(separator: ",")
    }
}
