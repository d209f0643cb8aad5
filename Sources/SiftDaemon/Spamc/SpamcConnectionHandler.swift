import Foundation
import Logging
import NIOCore

/// One spamd-protocol connection: reads one request (headers, then `Content-length` bytes),
/// answers it, and closes, as spamd does.
///
/// The connection counts toward the same limits as the main socket's (connections per uid,
/// work in flight through ``Admission``, asked for as soon as the message's length is known,
/// so a refused one never fills memory). Bounds: headers 16 KiB, a message
/// `spamc.max_message_bytes` (bigger ones are read and dropped, then answered "too big"), and
/// `spamc.timeout_seconds` without a byte while the request is incomplete.
final class SpamcConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Settings {
        var maxMessageBytes: Int
        var timeout: TimeAmount
        var limits: ConnectionHandler.Limits

        init(_ config: DaemonConfig) {
            maxMessageBytes = config.spamc.maxMessageBytes
            timeout = .seconds(Int64(config.spamc.timeoutSeconds))
            limits = ConnectionHandler.Limits(config.limits)
        }
    }

    private enum Phase {
        /// Reading the request.
        case reading
        /// The request is complete and being answered.
        case answering
        /// The answer is written or being written, or the connection refused: nothing more happens.
        case closing
        case closed
    }

    private let responder: SpamcResponder
    private let registry: ConnectionRegistry
    private let admission: Admission
    private let peer: PeerCredentials
    private let settings: Settings
    private let logger: Logger
    private let presence = ClientPresence()
    private var parser: SpamcRequestParser
    private var phase = Phase.reading
    private var registered = false
    private var receivedAny = false
    private var admitted = false
    private var ticket: Admission.Ticket?
    /// Counted in the registry's requests in flight (`health`'s `in_flight`) until answered.
    private var counted = false
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(responder: SpamcResponder, registry: ConnectionRegistry, admission: Admission, peer: PeerCredentials, settings: Settings, logger: Logger) {
        self.responder = responder
        self.registry = registry
        self.admission = admission
        self.peer = peer
        self.settings = settings
        self.logger = logger
        parser = SpamcRequestParser(maxMessageBytes: settings.maxMessageBytes)
    }

    private var loopBound: NIOLoopBound<SpamcConnectionHandler> {
        NIOLoopBound(self, eventLoop: context!.eventLoop)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelActive(context: ChannelHandlerContext) {
        let bound = loopBound
        if let refusal = registry.register(context.channel, peer: peer, limits: settings.limits, drain: { bound.value.drain() }) {
            answer(responder.failure(SpamcError(.temporaryFailure, "\(refusal); try again later")))
            return
        }
        registered = true
        scheduleTimeoutCheck(in: settings.timeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        presence.disconnected()
        timer?.cancel()
        if let ticket { admission.release(ticket) }
        ticket = nil
        if counted { registry.requestsFinished(1) }
        counted = false
        if registered { registry.unregister(context.channel) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("spamc connection error", metadata: ["error": "\(error)", "pid": "\(peer.pid)"])
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard phase == .reading else { return }  // bytes after the request are ignored
        let bytes = unwrapInboundIn(data)
        receivedAny = true
        lastActivity = .now()
        var event = parser.append(bytes.readableBytesView)
        if !admitted, let length = parser.announcedLength {
            admitted = true
            switch admission.admit(uid: peer.uid, lineBytes: length, request: nil, limits: settings.limits.admission) {
            case let .success(granted): ticket = granted
            case let .failure(error): event = parser.reject(SpamcError(error))
            }
        }
        handle(event)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            if phase == .reading { handle(parser.finish()) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func handle(_ event: SpamcRequestParser.Event) {
        switch event {
        case .needMore:
            return
        case .end:
            close()
        case let .failure(error):
            answer(responder.failure(error))
        case let .request(request):
            guard request.method != .skip else { return close() }
            start(request)
        }
    }

    /// Answers the request off the event loop (reading the mail and waiting for the batcher
    /// are not the loop's work), then writes the answer on it.
    private func start(_ request: SpamcRequest) {
        phase = .answering
        counted = true
        registry.requestStarted()
        let bound = loopBound
        let eventLoop = context!.eventLoop
        let responder = self.responder, peer = self.peer, presence = self.presence
        Task {
            let response = await responder.respond(to: request, peer: peer, presence: presence)
            eventLoop.execute { bound.value.answer(response) }
        }
    }

    private func answer(_ response: SpamcResponse) {
        guard phase != .closing, phase != .closed, let context else { return }
        phase = .closing
        timer?.cancel()
        if counted {
            counted = false
            registry.requestsFinished(1)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        if var held = ticket {
            // In flight until the kernel has the reply: a client that does not read holds its share.
            ticket = nil
            admission.settle(&held, reply: response.bytes.count)
            let admission = self.admission, settled = held
            written.futureResult.whenComplete { _ in admission.release(settled) }
        }
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: response.bytes)), promise: written)
    }

    private func close() {
        guard phase != .closed, let context else { return }
        phase = .closing
        context.close(promise: nil)
    }

    /// Shutdown: a connection that has sent nothing yet is closed; one whose request is under
    /// way is answered first (the server's drain timeout bounds how long that may take).
    private func drain() {
        if phase == .reading && !receivedAny { close() }
    }

    private func scheduleTimeoutCheck(in delay: TimeAmount) {
        guard let context else { return }
        let bound = loopBound
        timer = context.eventLoop.scheduleTask(in: delay) { bound.value.checkTimeout() }
    }

    private func checkTimeout() {
        guard phase == .reading else { return }
        let idle = NIODeadline.now() - lastActivity
        guard idle >= settings.timeout else { return scheduleTimeoutCheck(in: settings.timeout - idle) }
        let seconds = settings.timeout.nanoseconds / 1_000_000_000
        answer(responder.failure(SpamcError(.timeout, "no complete request within \(seconds) s of silence (spamc.timeout_seconds)")))
    }
}
