import SiftJSON

/// `correct`: what a classified message really is. Acknowledged after the commit.
struct CorrectOperation: Operation {
    let name = "correct"
    let changesState = true

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let id = try fields.messageID()
        let label = try context.knownLabel(fields)
        // The message may still be in the journal: its classify reply does not wait for the write.
        await context.daemon.journal.waitUntilWritten(id)
        do {
            try await context.daemon.store.setLabel(label, forMessage: id, source: .correction, peerUID: context.peer.uid)
        } catch {
            throw .fromStore(error)
        }
        context.daemon.logger.info("correction", metadata: [
            "message_id": "\(id)", "label": "\(label)", "peer_uid": "\(context.peer.uid)",
        ])
        return [("ok", .bool(true)), ("message_id", .int(id)), ("label", .string(label))]
    }
}
