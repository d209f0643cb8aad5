import Logging
import Foundation
import SiftJSON
import SpamStore

/// `retrain`: starts a training run now, whatever the schedule says. With `"wait": true` the
/// reply comes when the run has ended (and a promoted model serves); otherwise at once.
struct RetrainOperation: Operation {
    let name = "retrain"
    let changesState = true
    let retraining: RetrainCoordinator
    let config: @Sendable () -> DaemonConfig
    let models: ModelProvider
    let logger: Logger

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let wait = try fields.optionalBool("wait") ?? false
        let started: TrainingRun
        do {
            started = try retraining.start(trigger: "request", config: config())
        } catch {
            switch error {
            case let .running(id):
                throw ProtocolError(.retrainRunning, "training run \(id) is still running; one run at a time")
            case let .unavailable(why):
                throw ProtocolError(.retrainUnavailable, why)
            }
        }
        logger.info("retrain requested", metadata: ["run": "\(started.id)", "peer_uid": "\(context.peer.uid)"])
        guard wait else {
            return [("ok", .bool(true)), ("run_id", .int(started.id)), ("status", .string(started.status.rawValue))]
        }
        let ended = await retraining.wait(for: started.id) ?? started
        var reply: [(key: String, value: JSONValue)] = [
            ("ok", .bool(true)), ("run_id", .int(ended.id)), ("status", .string(ended.status.rawValue)),
        ]
        if let error = ended.error { reply.append(("error", .string(error))) }
        if let report = ended.metricsJSON.flatMap(RetrainReport.decode) {
            reply.append(("version", .string(RetrainJob.version(of: ended.id))))
            reply.append(("promoted", .bool(report.promoted)))
            if let decision = report.decision { reply.append(("decision", .string(decision.rawValue))) }
            reply.append(("reasons", .array(report.reasons.map(JSONValue.string))))
        }
        reply.append(("serving", .string(models.current.version)))
        return reply
    }
}
