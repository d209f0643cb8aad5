import NIOCore
import Synchronization

/// The open connections: enforces `limits.max_connections`, counts requests in flight for
/// `health`, and drains every connection at shutdown.
public final class ConnectionRegistry: Sendable {
    struct Handle: Sendable {
        var channel: any Channel
        /// Asks the connection (on its event loop) to answer what it has read and close.
        var drain: @Sendable () -> Void
    }

    private struct State {
        var open: [ObjectIdentifier: Handle] = [:]
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

    /// Adds a connection unless the limit is reached or the daemon is draining.
    func register(_ handle: Handle, limit: Int) -> Bool {
        let added = state.withLock { state in
            guard !state.draining, state.open.count < limit else { return false }
            state.open[ObjectIdentifier(handle.channel)] = handle
            return true
        }
        if added {
            metrics.connectionsAccepted.increment()
            metrics.connectionsOpen.set(Double(openCount))
        } else {
            metrics.connectionsRejected.increment()
        }
        return added
    }

    func unregister(_ channel: any Channel) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.open.removeValue(forKey: ObjectIdentifier(channel))
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
