import SpamStore

/// Reads shared by the operations that write labels.
extension ModelProvider {
    /// `label`, which must be one of the serving model's labels.
    func knownLabel(_ fields: RequestFields) throws(ProtocolError) -> String {
        let label = try fields.string("label")
        let labels = current.labels
        guard labels.contains(label) else {
            throw ProtocolError(.unknownLabel, "label \(label.debugDescription) is not one of \(labels.joined(separator: ", "))", field: "label")
        }
        return label
    }
}

extension ProtocolError {
    /// A store error as the reply to send.
    static func fromStore(_ error: any Error) -> ProtocolError {
        if case let StoreError.unknownMessage(id)? = error as? StoreError {
            return ProtocolError(.unknownMessageID, "no message with id \(id)", field: "message_id")
        }
        return .internalError(error)
    }
}
