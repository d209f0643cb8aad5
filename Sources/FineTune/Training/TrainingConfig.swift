import GPT2

/// AdamW hyperparameters; the defaults are the reference's (and PyTorch's betas and eps).
public struct AdamWConfig: Sendable, Equatable, Codable {
    public var learningRate: Float = 5e-5
    /// Decoupled: every step multiplies each trainable tensor (biases and LayerNorms included)
    /// by 1 - learningRate · weightDecay, as torch.optim.AdamW does with one parameter group.
    public var weightDecay: Float = 0.1
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// L2-SP (Li et al., 2018): every step also draws each parameter back toward the value it had
    /// when training started, p ← p - lr·startPull·(p - p₀), decoupled as the weight decay is.
    /// A warm start uses it to keep what the active model knew; 0 turns it off.
    public var startPull: Float = 0

    public init(learningRate: Float = 5e-5, weightDecay: Float = 0.1, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                startPull: Float = 0) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.startPull = startPull
    }
}

/// Everything that decides a training run. Defaults are the reference's chapter-6 setup.
public struct TrainingConfig: Sendable, Equatable {
    public var labels: LabelSet = .hamSpam
    public var trainable: TrainableSet = .default
    public var pooling: Pooling = .last
    public var epochs = 5
    /// Examples per forward/backward pass.
    public var batchSize = 8
    /// Batches whose gradients add up (each scaled by 1/steps) before one optimizer step.
    public var accumulationSteps = 1
    public var optimizer = AdamWConfig()
    /// Seeds the head's initialisation (when there is no head to start from) and the shuffles.
    /// A run is reproducible for the same seed and thread count (OpenBLAS's rounding can
    /// depend on its thread count).
    public var seed: UInt64 = 123
    /// Skip each epoch's last, partial batch, as the reference's DataLoader(drop_last=True) does
    /// (1045 examples → 130 steps of 8). Only when there is at least one full batch.
    public var dropLastBatch = true
    /// Keep the starting weights so that `Trainer.interpolateFromStart` can move part of the way
    /// back to them after training (WiSE-FT's α); 1: training's end is the result.
    public var interpolation: Float = 1
    /// OpenBLAS threads and worker threads for the optimizer; nil leaves OpenBLAS's setting.
    public var threads: Int?
    /// What the frozen blocks compute the prefix cache in: the precision the model will be
    /// served in, so that training and the gate see what serving will. Trained blocks are fp32.
    public var precision: Precision = .fp32

    public init() {}

    public func validate() throws {
        func check(_ ok: Bool, _ why: String) throws { if !ok { throw TrainingError.invalidConfig(why) } }
        try check(epochs >= 0, "epochs must be 0 or more, got \(epochs)")
        try check(batchSize > 0, "batch size must be positive, got \(batchSize)")
        try check(accumulationSteps > 0, "accumulation steps must be positive, got \(accumulationSteps)")
        try check(optimizer.learningRate >= 0 && optimizer.learningRate.isFinite, "learning rate must be a non-negative number")
        try check(optimizer.weightDecay >= 0, "weight decay must be 0 or more")
        try check((0..<1).contains(optimizer.beta1) && (0..<1).contains(optimizer.beta2), "betas must be in [0, 1)")
        try check(optimizer.epsilon > 0, "epsilon must be positive")
        try check(interpolation > 0 && interpolation <= 1, "interpolation must be in (0, 1]")
        try check(optimizer.startPull >= 0 && optimizer.startPull.isFinite, "the start pull must be 0 or more")
        try check(optimizer.learningRate * optimizer.startPull < 1, "learning rate × start pull must be below 1 (it is a per-step fraction)")
        if case let .lastBlocks(n) = trainable { try check(n > 0, "last-N-blocks needs N ≥ 1") }
        try check(labels.count >= 2, "a classifier needs at least two labels, got \(labels.names)")
    }
}

/// Errors of setting up or running training.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(String)
    case incompatibleCheckpoint(String)
    case noExamples(String)
    case invalidExample(String)

    public var description: String {
        switch self {
        case let .invalidConfig(why): "invalid training setup: \(why)"
        case let .incompatibleCheckpoint(why): "cannot warm-start: \(why)"
        case let .noExamples(why): why
        case let .invalidExample(why): why
        }
    }
}
