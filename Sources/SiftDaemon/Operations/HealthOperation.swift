import GPT2
import SiftJSON

/// `health`: is the daemon up, what it serves, and how busy it is. `status` is `ok`,
/// `degraded` (serving, but see `degraded`: e.g. predictions not being stored) or `draining`.
struct HealthOperation: Operation {
    let name = "health"
    /// All of it: health reports on the whole daemon.
    let daemon: DaemonContext

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let model = daemon.models.current
        let reasons = daemon.degraded.current
        return [
            ("status", .string(daemon.isDraining ? "draining" : reasons.isEmpty ? "ok" : "degraded")),
            ("degraded", .array(reasons.map(JSONValue.string))),
            ("version", .string(SiftVersion.string)),
            ("model", .string(model.version)),
            ("labels", .array(model.labels.map(JSONValue.string))),
            ("precision", .string(model.classifier.model.precision.rawValue)),
            ("cpu", .string(CPUKernels.current.isa)),
            ("uptime_seconds", .double((daemon.clock.now - daemon.startedAt).milliseconds.rounded() / 1000)),
            ("connections", .int(Int64(daemon.connections.openCount))),
            ("in_flight", .int(Int64(daemon.connections.inFlightCount))),
            ("queued", .int(Int64(daemon.batcher.queuedCount))),
            ("journal_pending", .int(Int64(daemon.journal.pendingCount))),
            ("in_flight_bytes", .int(Int64(daemon.admission.inFlightBytes))),
            ("reloads", .int(Int64(daemon.reloadCount))),
        ]
    }
}
