import DequeModule
import Foundation
import Synchronization

/// Runs blocking work (a store read or write, loading a model) on threads of its own: never on
/// the cooperative pool (as many threads as cores, which `health` and every reply need) nor on
/// the global dispatch queues. Store reads, store writes and model loads have separate pools, so
/// a `stats` flood never delays a correction or a reload, and writes waiting for SQLite's one
/// writer never hold up reads.
enum BlockingWork {
    static let storeReads = BlockingPool(name: "sift-read", threads: 2)
    /// One thread: SQLite has one writer at a time anyway.
    static let storeWrites = BlockingPool(name: "sift-write", threads: 1)
    static let models = BlockingPool(name: "sift-load", threads: 1)

    static func run<T: Sendable>(on pool: BlockingPool, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.run(work)
    }
}

/// A fixed set of threads taking jobs in arrival order. The threads live as long as the process.
final class BlockingPool: Sendable {
    private let jobs = Mutex<Deque<@Sendable () -> Void>>([])
    private let available = DispatchSemaphore(value: 0)

    init(name: String, threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in
                ThreadName.setCurrent("\(name)-\(index)")
                while true {
                    available.wait()
                    let job = jobs.withLock { $0.removeFirst() }
                    job()
                }
            }
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
