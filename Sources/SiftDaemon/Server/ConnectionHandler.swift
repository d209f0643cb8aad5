import Foundation
import Logging
import NIOCore
import SiftJSON

/// One client connection: frames lines, starts a request per line, and writes the replies in
/// request order, however the requests finish.
///
/// Flow control: while `maxPending` requests are unanswered, or the channel is not writable
/// (the client is not reading and the write buffer passed its high-water mark), the handler
/// takes no more lines and holds back NIO's `read()`, so the kernel's socket buffer fills and
/// the client's writes block. Memory per connection is thus bounded by `maxPending` requests,
/// the write buffer, one read of unframed bytes and one line.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let router: RequestRouter
    private let registry: ConnectionRegistry
    private let admission: Admission
    private let presence = ClientPresence()
    /// The in-flight share of each request not yet taken by the kernel, by sequence number.
    private var tickets: [UInt64: Admission.Ticket] = [:]
    private let peer: PeerCredentials
    private let limits: Limits
    private let logger: Logger
    private var framer: LineFramer
    private let lane = SerialLane()

    /// Replies that are ready but wait for an earlier one, by request sequence number.
    private var ready: [UInt64: [UInt8]] = [:]
    private var nextSequence: UInt64 = 0
    private var nextToWrite: UInt64 = 0
    private var pending: Int { Int(nextSequence - nextToWrite) }

    private var context: ChannelHandlerContext?
    private var state = ConnectionState.open
    // Flow control, orthogonal to the state.
    /// NIO asked for a read while paused; issued on resume.
    private var readHeld = false
    /// Inside channelRead…channelReadComplete: replies are flushed once, at the end.
    private var inReadBurst = false
    private var needsFlush = false
    /// processLines is on the stack (a reply completing inside it must not re-enter it).
    private var processing = false
    /// After an `overloaded`, the connection is not read for a while (10 ms, doubling while
    /// refusals go on, up to 0.5 s): a client that floods regardless gets refused a few times a
    /// second instead of making the daemon spend its time refusing it.
    private var throttled = false
    private var throttleDelay = TimeAmount.milliseconds(10)
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?

    init(router: RequestRouter, registry: ConnectionRegistry, admission: Admission, peer: PeerCredentials, limits: Limits, logger: Logger) {
        self.router = router
        self.registry = registry
        self.admission = admission
        self.peer = peer
        self.limits = limits
        self.logger = logger
        framer = LineFramer(maximumLineBytes: limits.maxLineBytes)
    }

    private var loopBound: NIOLoopBound<ConnectionHandler> {
        NIOLoopBound(self, eventLoop: context!.eventLoop)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let bound = loopBound
        if let refusal = registry.register(context.channel, peer: peer, limits: limits, drain: { bound.value.drain() }) {
            state = .refused
            let error = ProtocolError(.tooManyConnections, "\(refusal); try again later")
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: router.failure(error, ref: nil))), promise: nil)
            context.close(promise: nil)
            return
        }
        scheduleIdleCheck(in: limits.idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let registered = state != .refused
        // Nothing more is started: a request started now would hold an admission ticket
        // that nothing releases any more.
        state = .closed
        presence.disconnected()
        idleTimer?.cancel()
        registry.requestsFinished(pending)
        ready.removeAll()
        for ticket in tickets.values { admission.release(ticket) }
        tickets.removeAll()
        if registered { registry.unregister(context.channel) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)", "pid": "\(peer.pid)"])
        context.close(promise: nil)
    }

    // MARK: Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !state.isClosing else { return }
        framer.append(unwrapInboundIn(data))
        inReadBurst = true
        processLines()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            if state == .open { state = .inputClosed }
            processLines()
            flushIfNeeded()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private var mustPause: Bool {
        pending >= limits.maxPending || throttled || !(context?.channel.isWritable ?? false)
    }

    /// Starts requests for the framed lines, as many as flow control allows.
    private func processLines() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while state.startsRequests && !mustPause {
            if let frame = framer.next() {
                start(frame)
            } else if state == .inputClosed {
                state = .finishing
                if let last = framer.finish() { start(last) }
            } else {
                break
            }
        }
        closeIfDone()
    }

    /// Starts one request; only complete requests count as activity for the idle timeout, so a
    /// client dribbling bytes cannot hold a connection forever.
    private func start(_ frame: LineFramer.Frame) {
        let sequence = nextSequence
        nextSequence += 1
        lastActivity = .now()
        registry.requestStarted()
        switch frame {
        case .tooLong:
            let error = ProtocolError(.lineTooLong, "the line is longer than \(limits.maxLineBytes) bytes; it was discarded")
            complete(sequence, router.failure(error, ref: nil))
        case let .line(bytes):
            let bound = loopBound
            let eventLoop = context!.eventLoop
            if let refusal = admission.refusalBeforeDecoding(lineBytes: bytes.readableBytes, limits: limits.admission) {
                throttle()
                complete(sequence, router.failure(refusal, ref: nil))
                return
            }
            let outcome = RequestDecoder.decode(bytes.readableBytesView)
            let request: Request? = if case let .request(request) = outcome { request } else { nil }
            switch admission.admit(uid: peer.uid, lineBytes: bytes.readableBytes, request: request, limits: limits.admission) {
            case let .success(ticket):
                tickets[sequence] = ticket
                throttleDelay = .milliseconds(10)
            case let .failure(error):
                throttle()
                let ref: JSONValue? = if case let .request(request) = outcome { request.ref } else { nil }
                complete(sequence, router.failure(error, ref: ref))
                return
            }
            router.start(outcome, peer: peer, presence: presence, lane: lane) { line in
                // Errors known at once come back on this loop, inside this call.
                if eventLoop.inEventLoop {
                    bound.value.complete(sequence, line)
                } else {
                    eventLoop.execute { bound.value.complete(sequence, line) }
                }
            }
        }
    }

    private func throttle() {
        guard !throttled, let context else { return }
        throttled = true
        let bound = loopBound
        context.eventLoop.scheduleTask(in: throttleDelay) {
            bound.value.throttled = false
            bound.value.resumeIfPossible()
        }
        throttleDelay = min(throttleDelay * 2, .milliseconds(500))
    }

    // MARK: Output

    /// Records a reply and writes every reply that is now next in order.
    private func complete(_ sequence: UInt64, _ line: [UInt8]) {
        guard state != .closed, let context else { return }
        ready[sequence] = line
        var written = 0
        while let next = ready.removeValue(forKey: nextToWrite) {
            if var ticket = tickets.removeValue(forKey: nextToWrite) {
                // In flight until the kernel has the reply: a client that does not read holds its share.
                admission.settle(&ticket, reply: next.count)
                let promise = context.eventLoop.makePromise(of: Void.self)
                let admission = self.admission
                let settled = ticket
                promise.futureResult.whenComplete { _ in admission.release(settled) }
                context.write(wrapOutboundOut(ByteBuffer(bytes: next)), promise: promise)
            } else {
                context.write(wrapOutboundOut(ByteBuffer(bytes: next)), promise: nil)
            }
            nextToWrite += 1
            written += 1
        }
        guard written > 0 else { return }
        registry.requestsFinished(written)
        lastActivity = .now()
        needsFlush = true
        if !inReadBurst { flushIfNeeded() }
        resumeIfPossible()
        closeIfDone()
    }

    private func flushIfNeeded() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { resumeIfPossible() }
        context.fireChannelWritabilityChanged()
    }

    /// Intercepts NIO's read requests: none while paused; the held one is issued on resume.
    func read(context: ChannelHandlerContext) {
        if mustPause || !state.startsRequests {
            readHeld = true
        } else {
            context.read()
        }
    }

    private func resumeIfPossible() {
        guard !mustPause, !state.isClosing, let context else { return }
        processLines()
        if readHeld && !mustPause && state.startsRequests {
            readHeld = false
            context.read()
        }
    }

    // MARK: Ending

    /// Shutdown: answer what has been read, then close.
    private func drain() {
        if state.startsRequests { state = .finishing }
        closeIfDone()
    }

    private func closeIfDone() {
        guard state == .finishing, pending == 0, let context else { return }
        state = .closing
        flushIfNeeded()
        context.close(promise: nil)
    }

    private func scheduleIdleCheck(in delay: TimeAmount?) {
        guard let delay, let context else { return }
        let bound = loopBound
        idleTimer = context.eventLoop.scheduleTask(in: delay) { bound.value.checkIdle() }
    }

    private func checkIdle() {
        guard !state.isClosing, let timeout = limits.idleTimeout, let context else { return }
        let idle = NIODeadline.now() - lastActivity
        guard pending == 0, idle >= timeout else {
            scheduleIdleCheck(in: pending > 0 ? timeout : timeout - idle)
            return
        }
        state = .closing
        let error = ProtocolError(.idleTimeout, "closing after \(timeout.nanoseconds / 1_000_000_000) s without a request")
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: router.failure(error, ref: nil))), promise: nil)
        context.close(promise: nil)
    }
}
