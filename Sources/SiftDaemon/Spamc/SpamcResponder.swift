import Foundation
import Logging
import SiftJSON
import SiftMail

/// Answers one SPAMC request: authorizes it as the operation it amounts to, reads the model
/// text of its message, and classifies (CHECK, SYMBOLS, REPORT, REPORT_IFSPAM, PROCESS,
/// HEADERS) or labels (TELL) through the same paths as the JSON protocol, so every prediction
/// and label is stored exactly as there.
final class SpamcResponder: Sendable {
    private let batcher: Batcher
    /// `label` and `forget`, as the JSON protocol runs them.
    private let operations: OperationTable
    private let config: @Sendable () -> DaemonConfig
    private let metrics: DaemonMetrics
    private let logger: Logger
    /// Named in the checker header and the report, as spamd names its host.
    private let host: String

    init(batcher: Batcher, operations: OperationTable, config: @escaping @Sendable () -> DaemonConfig, metrics: DaemonMetrics, logger: Logger) {
        self.batcher = batcher
        self.operations = operations
        self.config = config
        self.metrics = metrics
        self.logger = logger
        host = ProcessInfo.processInfo.hostName
    }

    /// The reply to `request`, errors included; counted by method and, if an error, by status.
    func respond(to request: SpamcRequest, peer: PeerCredentials, presence: ClientPresence) async -> SpamcResponse {
        metrics.spamcRequests(method: request.method.rawValue).increment()
        do throws(SpamcError) {
            return try await answer(request, peer: peer, presence: presence)
        } catch {
            return failure(error, method: request.method, peer: peer)
        }
    }

    /// The reply to a request that failed before it was read whole (bad header, too big, timeout).
    func failure(_ error: SpamcError) -> SpamcResponse {
        metrics.spamcErrors(status: error.status).increment()
        return .failure(error)
    }

    private func failure(_ error: SpamcError, method: SpamcMethod, peer: PeerCredentials) -> SpamcResponse {
        if error.status == .noPermission {
            logger.warning("spamc request refused", metadata: [
                "method": "\(method.rawValue)", "peer_uid": "\(peer.uid)", "peer_pid": "\(peer.pid)", "reason": "\(error.message)",
            ])
        }
        return failure(error)
    }

    private func answer(_ request: SpamcRequest, peer: PeerCredentials, presence: ClientPresence) async throws(SpamcError) -> SpamcResponse {
        if request.method == .ping { return .pong }
        if let compression = request[header: "compress"] {
            throw SpamcError(.protocolError, "Compress: \(compression) is not supported; send the message uncompressed (spamc without -z)")
        }
        if let user = request[header: "user"] {
            // spamd would switch to this user's settings; Sift has one model for everyone.
            logger.debug("spamc User header ignored", metadata: ["user": "\(user)", "peer_uid": "\(peer.uid)"])
        }
        if request.method == .tell {
            return try await tell(SpamcTell(request), message: request.body, peer: peer, presence: presence)
        }
        try authorize(peer, "classify")
        let text = try Self.modelText(request.body)
        let verdict = try await classify(text, peer: peer, presence: presence)
        return reply(request.method, verdict, message: request.body)
    }

    private func reply(_ method: SpamcMethod, _ verdict: SpamcVerdict, message: [UInt8]) -> SpamcResponse {
        let spam: [(name: String, value: String)] = [("Spam", verdict.spamHeader)]
        switch method {
        case .check:
            return .ok(headers: spam)
        case .symbols:
            return .ok(headers: spam, body: Array(verdict.rule.utf8))
        case .report:
            return .ok(headers: spam, body: Array(SpamcReport.text(verdict, host: host).utf8))
        case .reportIfSpam:
            return .ok(headers: spam, body: verdict.isSpam ? Array(SpamcReport.text(verdict, host: host).utf8) : [])
        case .process:
            return .ok(headers: spam, body: SpamHeaders(verdict, host: host).inserted(into: message))
        case .headers:
            return .ok(headers: spam, body: SpamHeaders(verdict, host: host).headerBlock(of: message))
        case .ping, .skip, .tell:
            preconditionFailure("\(method) is answered before classification")
        }
    }

    private func authorize(_ peer: PeerCredentials, _ operation: String) throws(SpamcError) {
        guard config().authorization.allows(peer, toRun: operation) else {
            throw SpamcError(.noPermission, "uid \(peer.uid) may not \(operation) (see authorization.\(operation) in the config)")
        }
    }

    /// What the model reads of the message (SiftMail), as for every mail Sift classifies.
    static func modelText(_ message: [UInt8]) throws(SpamcError) -> String {
        do {
            return try MailText.modelText(of: message)
        } catch {
            throw SpamcError(.dataError, "nothing to classify: \(error)")
        }
    }

    private func classify(_ text: String, peer: PeerCredentials, presence: ClientPresence) async throws(SpamcError) -> SpamcVerdict {
        let result: ClassifyResult
        do {
            result = try await batcher.classify(text, peer: peer.storePeer, presence: presence)
        } catch let error as ProtocolError {
            throw SpamcError(error)
        } catch {
            throw SpamcError(.software, "\(error)")
        }
        return SpamcVerdict(result, threshold: config().classify.spam)
    }

    // MARK: TELL

    private func tell(_ tell: SpamcTell, message: [UInt8], peer: PeerCredentials, presence: ClientPresence) async throws(SpamcError) -> SpamcResponse {
        let operation = tell.operation
        try authorize(peer, operation)
        let text = try Self.modelText(message)
        var fields: [(key: String, value: JSONValue)] = [("text", .string(text))]
        if let label = tell.label { fields.append(("label", .string(label))) }
        let reply: [(key: String, value: JSONValue)]
        do throws(ProtocolError) {
            guard let run = operations[operation] else { throw ProtocolError(.unknownOp, "no operation \(operation)") }
            reply = try await run.run(RequestFields(fields), context: RequestContext(peer: peer, presence: presence))
        } catch {
            throw SpamcError(error)
        }
        if tell.label != nil { return .ok(headers: [("DidSet", "local")]) }
        // No DidRemove when nothing was withdrawn: spamc then says the message was not learned.
        let forgotten = reply.contains { $0.key == "forgotten" && $0.value != .bool(false) && $0.value != .int(0) }
        return .ok(headers: forgotten ? [("DidRemove", "local")] : [])
    }
}

extension SpamcError {
    /// The spamd status nearest to a JSON-protocol error.
    init(_ error: ProtocolError) {
        let status: SpamcStatus = switch error.code {
        case .notAuthorized: .noPermission
        case .overloaded: .temporaryFailure
        case .emptyText, .unknownLabel: .dataError
        default: .software
        }
        self.init(status, error.message)
    }
}

extension SpamcVerdict {
    /// The verdict the batcher reached (at the thresholds of its batch), shown against
    /// `threshold`. A model whose labels are not a spam/ham pair has no verdict: its most
    /// probable label decides, read as spam when it is the label called so.
    init(_ result: ClassifyResult, threshold: Double) {
        let probability = result.spamProbability ?? Double(result.probabilities.first { $0.label == "spam" }?.probability ?? 0)
        self.init(
            kind: result.verdict ?? (result.label == "spam" ? .spam : .ham), spamProbability: probability, spamThreshold: threshold,
            messageID: result.messageID, modelVersion: result.modelVersion)
    }
}
