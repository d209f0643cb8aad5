import Logging
import SiftJSON
import SpamStore

/// `forget`: withdraws a message's label (`message_id`), or the labels of every labelled message
/// with exactly this `text` (what a client that learned from a mailbox knows). Acknowledged after the commit.
struct ForgetOperation: Operation {
    let name = "forget"
    let changesState = true
    let store: AsyncStore
    let journal: Journal
    let logger: Logger

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let uid = context.peer.uid
        if fields["message_id"] == nil, fields["text"] != nil {
            let text = try fields.text()
            let ids: [MessageID]
            do {
                ids = try await store.write { try $0.forgetLabels(ofText: text, source: .correction, peerUID: uid) }
            } catch {
                throw .fromStore(error)
            }
            logger.info("forget", metadata: ["message_ids": "\(ids)", "by": "text", "peer_uid": "\(uid)"])
            return [("ok", .bool(true)), ("forgotten", .int(Int64(ids.count))), ("message_ids", .array(ids.map { .int($0) }))]
        }
        let id = try fields.messageID()
        await journal.waitUntilWritten(id)
        let forgotten: Bool
        do {
            forgotten = try await store.write { try $0.forgetLabel(forMessage: id, source: .correction, peerUID: uid) } != nil
        } catch {
            throw .fromStore(error)
        }
        logger.info("forget", metadata: ["message_id": "\(id)", "forgotten": "\(forgotten)", "peer_uid": "\(uid)"])
        return [("ok", .bool(true)), ("message_id", .int(id)), ("forgotten", .bool(forgotten))]
    }
}
