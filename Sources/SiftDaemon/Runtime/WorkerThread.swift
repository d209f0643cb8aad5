import Foundation
import ServiceLifecycle
import Synchronization

/// A dedicated OS thread for work that blocks (the forward pass, SQLite writes), kept off both
/// the NIO event loops and Swift's cooperative pool, which has only as many threads as cores.
final class WorkerThread: Sendable {
    private struct State {
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let name: String
    private let body: @Sendable () -> Void
    private let state = Mutex(State())

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    func start() {
        let thread = Thread { [self] in
            ThreadName.setCurrent(name)
            body()
            let waiters = state.withLock { state in
                state.finished = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Returns once `body` has returned.
    func join() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if done { continuation.resume() }
        }
    }
}

extension WorkerThread {
    /// A service's `run()` for a thread that drains a queue: starts the thread and returns once
    /// it has finished. Graceful shutdown or cancellation calls `stop`, after which `body` is
    /// expected to finish what is queued and return.
    func runUntilShutdown(stop: @escaping @Sendable () -> Void) async {
        start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await join()
            } onCancel: {
                stop()
            }
        } onGracefulShutdown: {
            stop()
        }
    }
}

/// Lets a worker thread's closure reach the object that owns it without a retain cycle.
final class WorkerOwner<Owner: AnyObject>: @unchecked Sendable {
    // Set once in the owner's init, before the thread starts; read only by that thread.
    weak var owner: Owner?
}
