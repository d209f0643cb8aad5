import Foundation
import NIOCore
import Synchronization

/// The open connections: enforces `limits.max_connections`, counts requests in flight for
/// `health`, and drains every connection at shutdown.
public final class ConnectionRegistry: Sendable {
    struct Handle: Sendable {
        var channel: any Channel
        var uid: UInt32
        /// Asks the connection (on its event loop) to answer what it has read and close.
        var drain: @Sendable () -> Void
    }

    private struct State {
        var open: [ObjectIdentifier: Handle] = [:]
        var perUID: [UInt32: Int] = [:]
        var draining = false
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let inFlight = Atomic<Int>(0)
    private let metrics: DaemonMetrics

    init(metrics: DaemonMetrics) { self.metrics = metrics }

    public var openCount: Int { state.withLock { $0.open.count } }
    /// Requests read and not yet answered, all connections.
    public var inFlightCount: Int { inFlight.load(ordering: .relaxed) }

    func requestStarted() { inFlight.add(1, ordering: .relaxed) }
    func requestsFinished(_ count: Int) { inFlight.subtract(count, ordering: .relaxed) }

    /// Adds a connection unless a limit is reached or the daemon is draining; returns why not.
    /// Root and the daemon's own user (`privileged`) may use `reservedConnections` slots beyond
    /// `maxConnections`, so an operator can still look in while other users hold every slot.
    func register(_ handle: Handle, limits: ConnectionHandler.Limits, privileged: Bool) -> String? {
        let refusal: String? = state.withLock { state in
            if state.draining { return "the daemon is shutting down" }
            let ofUID = state.perUID[handle.uid, default: 0]
            if ofUID >= limits.maxConnectionsPerUID {
                return "uid \(handle.uid) already has \(ofUID) connections (limits.max_connections_per_uid)"
            }
            let limit = limits.maxConnections + (privileged ? limits.reservedConnections : 0)
            if state.open.count >= limit {
                return "the daemon already has \(state.open.count) connections (limits.max_connections)"
            }
            state.open[ObjectIdentifier(handle.channel)] = handle
            state.perUID[handle.uid] = ofUID + 1
            return nil
        }
        if refusal == nil {
            metrics.connectionsAccepted.increment()
            metrics.connectionsOpen.set(Double(openCount))
        } else {
            metrics.connectionsRejected.increment()
        }
        return refusal
    }

    /// Registers `peer`'s connection on `channel` (root and the daemon's own user are
    /// privileged); `drain` runs on the channel's event loop when the daemon shuts down.
    func register(_ channel: any Channel, peer: PeerCredentials, limits: ConnectionHandler.Limits, drain: @escaping @Sendable () -> Void) -> String? {
        let eventLoop = channel.eventLoop
        let handle = Handle(channel: channel, uid: peer.uid) { eventLoop.execute(drain) }
        return register(handle, limits: limits, privileged: peer.uid == 0 || peer.uid == getuid())
    }

    func unregister(_ channel: any Channel) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            if let handle = state.open.removeValue(forKey: ObjectIdentifier(channel)) {
                let left = state.perUID[handle.uid, default: 1] - 1
                state.perUID[handle.uid] = left > 0 ? left : nil
            }
            guard state.open.isEmpty else { return [] }
            defer { state.emptyWaiters = [] }
            return state.emptyWaiters
        }
        metrics.connectionsOpen.set(Double(openCount))
        for waiter in waiters { waiter.resume() }
    }

    /// Refuses new connections and asks every open one to finish and close.
    func drainAll() {
        let handles = state.withLock { state in
            state.draining = true
            return Array(state.open.values)
        }
        for handle in handles { handle.drain() }
    }

    /// Closes whatever is still open, without waiting for answers.
    func closeAll() {
        let handles = state.withLock { Array($0.open.values) }
        for handle in handles { handle.channel.close(promise: nil) }
    }

    /// Returns when no connection is open.
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let empty = state.withLock { state in
                if !state.open.isEmpty { state.emptyWaiters.append(continuation) }
                return state.open.isEmpty
            }
            if empty { continuation.resume() }
        }
    }
}
