import Logging
import SiftJSON
import SpamStore

/// `label`: a new message with its label, unclassified (training data). Acknowledged after the commit.
struct LabelOperation: Operation {
    let name = "label"
    let changesState = true
    let store: AsyncStore
    let models: ModelProvider
    let logger: Logger

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let text = try fields.text()
        let label = try models.knownLabel(fields)
        let id: MessageID
        do {
            let peer = context.peer.storePeer
            id = try await store.write { try $0.recordLabeledMessage(LabeledText(text: text, label: label), source: .api, peer: peer) }
        } catch {
            throw .fromStore(error)
        }
        logger.info("label", metadata: ["message_id": "\(id)", "label": "\(label)", "peer_uid": "\(context.peer.uid)"])
        return [("ok", .bool(true)), ("message_id", .int(id)), ("label", .string(label))]
    }
}
