import SpamStore

/// What `classify` answers.
public struct ClassifyResult: Sendable {
    public var messageID: MessageID
    public var label: String
    /// One per label, in the model's label order.
    public var probabilities: [(label: String, probability: Float)]
    public var modelVersion: String
}
