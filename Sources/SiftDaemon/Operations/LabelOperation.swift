import SiftJSON
import SpamStore

/// `label`: a new message with its label, unclassified (training data). Acknowledged after the commit.
struct LabelOperation: Operation {
    let name = "label"
    let changesState = true

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let text = try fields.text()
        let label = try context.knownLabel(fields)
        let id: MessageID
        do {
            id = try await context.daemon.store.recordLabeledMessage(
                LabeledText(text: text, label: label), source: .api, peer: context.peer.storePeer)
        } catch {
            throw .fromStore(error)
        }
        context.daemon.logger.info("label", metadata: ["message_id": "\(id)", "label": "\(label)", "peer_uid": "\(context.peer.uid)"])
        return [("ok", .bool(true)), ("message_id", .int(id)), ("label", .string(label))]
    }
}
