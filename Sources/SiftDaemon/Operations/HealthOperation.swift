/// `health`: is the daemon up, what it serves, and how busy it is.
struct HealthOperation: Operation {
    let name = "health"

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let daemon = context.daemon
        let model = daemon.models.current
        return [
            ("status", .string(daemon.isDraining ? "draining" : "ok")),
            ("version", .string(SiftVersion.string)),
            ("model", .string(model.version)),
            ("labels", .array(model.labels.map(JSONValue.string))),
            ("uptime_seconds", .double((daemon.clock.now - daemon.startedAt).milliseconds.rounded() / 1000)),
            ("connections", .int(Int64(daemon.connections.openCount))),
            ("in_flight", .int(Int64(daemon.connections.inFlightCount))),
            ("queued", .int(Int64(daemon.batcher.queuedCount))),
            ("journal_pending", .int(Int64(daemon.journal.pendingCount))),
            ("reloads", .int(Int64(daemon.reloadCount))),
        ]
    }
}
