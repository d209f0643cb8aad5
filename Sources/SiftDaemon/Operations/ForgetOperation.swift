import Logging
import SiftJSON

/// `forget`: withdraws a message's label. Acknowledged after the commit.
struct ForgetOperation: Operation {
    let name = "forget"
    let changesState = true
    let store: AsyncStore
    let journal: Journal
    let logger: Logger

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let id = try fields.messageID()
        await journal.waitUntilWritten(id)
        let forgotten: Bool
        do {
            let uid = context.peer.uid
            forgotten = try await store.write { try $0.forgetLabel(forMessage: id, source: .correction, peerUID: uid) } != nil
        } catch {
            throw .fromStore(error)
        }
        logger.info("forget", metadata: ["message_id": "\(id)", "forgotten": "\(forgotten)", "peer_uid": "\(context.peer.uid)"])
        return [("ok", .bool(true)), ("message_id", .int(id)), ("forgotten", .bool(forgotten))]
    }
}
