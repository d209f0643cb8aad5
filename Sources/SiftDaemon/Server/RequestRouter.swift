import Foundation
import SiftJSON

/// Sends each decoded request to its operation, after the authorization check, and turns the
/// outcome into the reply line. Every reply, success or error, goes out through `reply`: errors
/// known at once are answered at once, on the caller's thread; the rest later, on another.
final class RequestRouter: Sendable {
    let table: OperationTable
    let metrics: DaemonMetrics
    /// The config in force (reloads change who may run what).
    let config: @Sendable () -> DaemonConfig

    init(table: OperationTable, metrics: DaemonMetrics, config: @escaping @Sendable () -> DaemonConfig) {
        self.table = table
        self.metrics = metrics
        self.config = config
    }

    /// Starts the request; `reply` gets its line exactly once.
    func start(_ outcome: RequestDecoder.Outcome, peer: PeerCredentials, presence: ClientPresence, lane: SerialLane, reply: @escaping @Sendable ([UInt8]) -> Void) {
        let request: Request
        switch outcome {
        case let .error(error, ref):
            return reply(failure(error, ref: ref))
        case let .request(decoded):
            request = decoded
        }
        guard let operation = table[request.op] else {
            return reply(failure(ProtocolError(.unknownOp, "no operation \(request.op.debugDescription)", field: "op"), ref: request.ref))
        }
        metrics.requests(op: operation.name).increment()
        guard config().authorization.allows(peer, toRun: operation.name) else {
            return reply(failure(
                ProtocolError(.notAuthorized, "uid \(peer.uid) may not \(operation.name) (see authorization.\(operation.name) in the config)"),
                ref: request.ref))
        }
        let context = RequestContext(peer: peer, presence: presence)
        let work: @Sendable () async -> Void = {
            let line: [UInt8]
            do throws(ProtocolError) {
                line = Reply.success(try await operation.run(request.fields, context: context)).line(ref: request.ref)
            } catch {
                line = self.failure(error, ref: request.ref)
            }
            reply(line)
        }
        if operation.changesState {
            lane.enqueue(work)
        } else {
            Task { await work() }
        }
    }

    /// The reply line of an error, counted in `sift_errors_total`: every error reply is made here.
    func failure(_ error: ProtocolError, ref: JSONValue?) -> [UInt8] {
        metrics.errors(error.code).increment()
        return Reply.failure(error).line(ref: ref)
    }
}
