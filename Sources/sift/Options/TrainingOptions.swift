import ArgumentParser
import FineTune

/// The hyperparameters `sift train` and `sift bench train` share; the defaults are the
/// reference's chapter-6 run.
struct TrainingOptions: ParsableArguments {
    @Option(help: "What trains: head, last-block, last-N-blocks (e.g. last-2-blocks) or all.")
    var trainable: String = "last-block"

    @Option(help: "Epochs over the training data.")
    var epochs: Int = 5

    @Option(help: "Examples per batch.")
    var batchSize: Int = 8

    @Option(help: "AdamW learning rate.")
    var lr: Float = 5e-5

    @Option(help: "AdamW decoupled weight decay (applied to every trainable tensor).")
    var weightDecay: Float = 0.1

    @Option(help: "Batches whose gradients are accumulated into one optimizer step.")
    var accumulate: Int = 1

    @Option(help: "Seed of the new head's initialisation and the shuffles (bench train: also of the split and the random model).")
    var seed: UInt64 = 123

    @OptionGroup var threads: ThreadsOption

    /// The precision the frozen prefix runs in: train in the one the model will be served in.
    @OptionGroup var precision: PrecisionOption

    func validate() throws {
        if TrainableSet(trainable) == nil { throw ValidationError("--trainable must be head, last-block, last-N-blocks or all") }
        if epochs < 0 || batchSize < 1 || accumulate < 1 {
            throw ValidationError("--epochs must be ≥ 0, --batch-size and --accumulate ≥ 1")
        }
    }

    /// A training configuration with these settings (labels and pooling are the caller's).
    var config: TrainingConfig {
        var config = TrainingConfig()
        config.trainable = TrainableSet(trainable)!  // checked by validate()
        config.epochs = epochs
        config.batchSize = batchSize
        config.accumulationSteps = accumulate
        config.optimizer = AdamWConfig(learningRate: lr, weightDecay: weightDecay)
        config.seed = seed
        config.threads = threads.threads
        config.precision = precision.resolved
        return config
    }
}
