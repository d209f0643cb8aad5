/// What one epoch did.
public struct EpochReport: Sendable, Equatable, Codable {
    public var epoch: Int
    /// Mean of the batches' losses, each taken before its optimizer step.
    public var trainLoss: Double
    /// Accuracy of those same forward passes (the running figure, as the weights moved).
    public var trainAccuracy: Double
    public var steps: Int
    public var seconds: Double
    public var validation: Evaluation?
}

/// Events `Trainer.train` reports while it runs.
public enum TrainingProgress: Sendable {
    /// One optimizer step done: its epoch, step number within the epoch, steps per epoch, and the
    /// mean loss of its batches.
    case step(epoch: Int, step: Int, of: Int, loss: Double)
    case epoch(EpochReport)
}
