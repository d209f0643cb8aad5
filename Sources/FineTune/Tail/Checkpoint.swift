import Checksum
import Foundation
import GPT2

/// What a classifier checkpoint records besides its tensors. The keys `ClassifierFile` reads
/// (`labels`, `pooling`, `base_sha256`) are what loading needs; the rest documents the run.
public enum Checkpoint {
    public enum Key {
        /// `head`, `last-block`, `last-N-blocks` or `all`.
        public static let trainable = "trainable"
        public static let seed = "seed"
        /// Epochs trained in this run.
        public static let epochs = "epochs"
        /// What the frozen blocks computed the prefix cache in (`fp32`, `bf16`, `int8`; fp32 when
        /// the run trained every block).
        public static let precision = "precision"
        /// JSON: AdamW settings, batch size, accumulation steps.
        public static let optimizer = "optimizer"
        /// JSON object of named evaluations (`train`, `validation`, `test`).
        public static let metrics = "metrics"
    }

    static func metadata(config: TrainingConfig, epochs: Int, metrics: [String: Evaluation]) -> [String: String] {
        let o = config.optimizer
        var meta = [
            ClassifierFile.Key.labels: ClassifierFile.encodeLabels(config.labels.names),
            ClassifierFile.Key.pooling: config.pooling.description,
            Key.trainable: config.trainable.description,
            Key.seed: String(config.seed),
            Key.epochs: String(epochs),
            Key.optimizer: "{\"batch_size\":\(config.batchSize),\"accumulation_steps\":\(config.accumulationSteps),"
                + "\"lr\":\(o.learningRate),\"weight_decay\":\(o.weightDecay),\"betas\":[\(o.beta1),\(o.beta2)],\"eps\":\(o.epsilon)}",
        ]
        if !metrics.isEmpty { meta[Key.metrics] = Evaluation.json(metrics) }
        return meta
    }

    /// sha256 of the base model directory's `model.safetensors`, for `ClassifierFile.Key.baseSHA256`.
    public static func baseSHA256(directory: URL) throws -> String {
        try SHA256.hex(contentsOf: directory.appendingPathComponent("model.safetensors"))
    }
}
