import Foundation
import SiftJSON

/// Sends each decoded request to its operation, after the authorization check, and turns the
/// outcome into the reply line. Errors known at once are answered at once, on the caller's thread.
final class RequestRouter: Sendable {
    let table: OperationTable
    let daemon: DaemonContext

    init(table: OperationTable, daemon: DaemonContext) {
        self.table = table
        self.daemon = daemon
    }

    /// Returns the reply line if it is ready now; otherwise starts the operation and returns
    /// nil, and `reply` gets the line later (on some other thread).
    func start(_ outcome: RequestDecoder.Outcome, peer: PeerCredentials, presence: ClientPresence, lane: SerialLane, reply: @escaping @Sendable ([UInt8]) -> Void) -> [UInt8]? {
        let request: Request
        switch outcome {
        case let .error(error, ref):
            return failure(error, ref: ref)
        case let .request(decoded):
            request = decoded
        }
        guard let operation = table[request.op] else {
            return failure(ProtocolError(.unknownOp, "no operation \(request.op.debugDescription)", field: "op"), ref: request.ref)
        }
        daemon.metrics.requests(op: operation.name).increment()
        guard daemon.config.authorization.allows(peer, toRun: operation.name) else {
            return failure(
                ProtocolError(.notAuthorized, "uid \(peer.uid) may not \(operation.name) (see authorization.\(operation.name) in the config)"),
                ref: request.ref)
        }
        let context = RequestContext(daemon: daemon, peer: peer, presence: presence)
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
        return nil
    }

    func failure(_ error: ProtocolError, ref: JSONValue?) -> [UInt8] {
        daemon.metrics.errors(error.code).increment()
        return Reply.failure(error).line(ref: ref)
    }
}
