import SiftJSON

/// `classify`: the model's label and probabilities for a text, with the message id it is stored under.
struct ClassifyOperation: Operation {
    let name = "classify"
    let batcher: Batcher

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let text = try fields.text()
        let result: ClassifyResult
        do {
            result = try await batcher.classify(text, peer: context.peer.storePeer, presence: context.presence)
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw .internalError(error)
        }
        var reply: [(key: String, value: JSONValue)] = [
            ("message_id", result.messageID == ClassifyResult.notStored ? .null : .int(result.messageID)),
            ("label", .string(result.label)),
        ]
        if let verdict = result.verdict, let p = result.spamProbability {
            reply.append(("verdict", .string(verdict.rawValue)))
            reply.append(("spam_probability", .number(Float(p))))
        }
        reply.append(("probabilities", .object(result.probabilities.map { (key: $0.label, value: JSONValue.number($0.probability)) })))
        reply.append(("model", .string(result.modelVersion)))
        return reply
    }
}
