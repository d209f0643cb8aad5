import SiftJSON

/// `forget`: withdraws a message's label. Acknowledged after the commit.
struct ForgetOperation: Operation {
    let name = "forget"
    let changesState = true

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let id = try fields.messageID()
        await context.daemon.journal.waitUntilWritten(id)
        let forgotten: Bool
        do {
            forgotten = try await context.daemon.store.forgetLabel(forMessage: id, source: .correction, peerUID: context.peer.uid) != nil
        } catch {
            throw .fromStore(error)
        }
        context.daemon.logger.info("forget", metadata: ["message_id": "\(id)", "forgotten": "\(forgotten)", "peer_uid": "\(context.peer.uid)"])
        return [("ok", .bool(true)), ("message_id", .int(id)), ("forgotten", .bool(forgotten))]
    }
}
