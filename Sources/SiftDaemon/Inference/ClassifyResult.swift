import SpamStore

/// What `classify` answers.
public struct ClassifyResult: Sendable {
    /// The message id of an answer whose prediction was not stored (journal.when_full: drop).
    public static let notStored: MessageID = 0

    public var messageID: MessageID
    /// The label the prediction is stored under: the spam label from `classify.spam_threshold` on.
    public var label: String
    /// spam, ham or unsure; nil for a model whose labels are not a spam/ham pair.
    public var verdict: Verdict?
    /// The probability of the spam label; nil as for `verdict`.
    public var spamProbability: Double?
    /// One per label, in the model's label order.
    public var probabilities: [(label: String, probability: Float)]
    public var modelVersion: String
}
