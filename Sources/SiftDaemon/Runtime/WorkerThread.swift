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
            body()
            let waiters = state.withLock { state in
                state.finished = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
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

/// Runs blocking work (a store read, loading a model) on threads of its own: never on the
/// cooperative pool (as many threads as cores, which `health` and every reply need) nor on the
/// global dispatch queues. Store reads and model loads have separate pools, so a `stats` flood
/// never delays a reload and a reload never delays `stats`.
enum BlockingWork {
    static let store = BlockingPool(name: "sift-store-read", threads: 2)
    static let models = BlockingPool(name: "sift-model-load", threads: 1)

    static func run<T: Sendable>(on pool: BlockingPool = store, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.run(work)
    }
}

/// A fixed set of threads taking jobs in arrival order. The threads live as long as the process.
final class BlockingPool: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let available = DispatchSemaphore(value: 0)

    init(name: String, threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in
                while true {
                    available.wait()
                    let job = jobs.withLock { $0.removeFirst() }
                    job()
                }
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Jobs waiting for a thread.
    var queued: Int { jobs.withLock { $0.count } }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            jobs.withLock { $0.append { continuation.resume(with: Result { try work() }) } }
            available.signal()
        }
    }
}
