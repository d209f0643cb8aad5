import Logging
import SiftJSON

/// `correct`: what a classified message really is. Acknowledged after the commit.
struct CorrectOperation: Operation {
    let name = "correct"
    let changesState = true
    let store: AsyncStore
    let journal: Journal
    let models: ModelProvider
    let logger: Logger

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let id = try fields.messageID()
        let label = try models.knownLabel(fields)
        // The message may still be in the journal: its classify reply does not wait for the write.
        await journal.waitUntilWritten(id)
        do {
            let uid = context.peer.uid
            _ = try await store.write { try $0.setLabel(label, forMessage: id, source: .correction, peerUID: uid) }
        } catch {
            throw .fromStore(error)
        }
        logger.info("correction", metadata: [
            "message_id": "\(id)", "label": "\(label)", "peer_uid": "\(context.peer.uid)",
        ])
        return [("ok", .bool(true)), ("message_id", .int(id)), ("label", .string(label))]
    }
}
