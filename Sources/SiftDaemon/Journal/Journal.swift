import Foundation
import Logging
import ServiceLifecycle
import SpamStore
import Synchronization

/// Writes predictions to the store in batches, off the classify path.
///
/// `classify` is answered as soon as the model has spoken; its message id comes from here at
/// once (``append(_:)``), taken from a block of ids reserved durably in the store beforehand
/// (``Store/reserveMessageIDs(count:)``), so an id is never reused, even after a crash. The
/// message itself is written a few milliseconds later by the writer thread, many per
/// transaction. A `correct` or `forget` of an id still waiting here calls
/// ``waitUntilWritten(_:)``, which hurries the write and returns once it has landed.
public final class Journal: Sendable {
    public struct Settings: Sendable {
        public var maxBatch: Int
        public var maxDelay: Duration
        public var idBlock: Int

        public init(_ config: DaemonConfig.Journal) {
            maxBatch = config.maxBatch
            maxDelay = .milliseconds(config.maxDelayMilliseconds)
            idBlock = config.idBlock
        }
    }

    private struct Entry {
        var id: MessageID
        var message: ClassifiedMessage
        var enqueuedAt: ContinuousClock.Instant
    }

    private struct State {
        var queue: [Entry] = []
        var queueStart = 0
        var pendingIDs: Set<MessageID> = []
        var waiters: [MessageID: [CheckedContinuation<Void, Never>]] = [:]
        /// Reserved, not yet handed out, lowest first.
        var freeIDs: [ClosedRange<MessageID>] = []
        var stopping = false

        var queued: Int { queue.count - queueStart }
        var freeCount: Int { freeIDs.reduce(0) { $0 + $1.count } }
    }

    private let store: Store
    private let settings: Settings
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    /// One reservation at a time, so blocks arrive in increasing order.
    private let reservation = Mutex(())
    private let clock = ContinuousClock()
    private let writer: WorkerThread

    public init(store: Store, settings: Settings, metrics: DaemonMetrics, logger: Logger) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        let box = WorkerOwner<Journal>()
        writer = WorkerThread(name: "sift-journal") { box.owner?.writeLoop() }
        box.owner = self
    }

    /// Reserves the first block of ids; call before serving. Throws if the store cannot.
    public func open() throws {
        try reserveBlock(atLeast: 1)
    }

    /// Predictions answered but not yet written.
    public var pendingCount: Int { state.withLock { $0.pendingIDs.count } }

    /// Assigns ids to `messages`, queues them for writing, and returns the ids (in order)
    /// without waiting for the write.
    public func append(_ messages: [ClassifiedMessage]) throws -> [MessageID] {
        guard !messages.isEmpty else { return [] }
        while true {
            let ids: [MessageID]? = state.withLock { state in
                guard state.freeCount >= messages.count else { return nil }
                var ids: [MessageID] = []
                ids.reserveCapacity(messages.count)
                let now = clock.now
                for message in messages {
                    let id = state.freeIDs[0].lowerBound
                    if state.freeIDs[0].count == 1 {
                        state.freeIDs.removeFirst()
                    } else {
                        state.freeIDs[0] = (id + 1)...state.freeIDs[0].upperBound
                    }
                    ids.append(id)
                    state.queue.append(Entry(id: id, message: message, enqueuedAt: now))
                    state.pendingIDs.insert(id)
                }
                return ids
            }
            if let ids {
                metrics.journalPending.set(Double(pendingCount))
                wake.signal()
                return ids
            }
            // The writer reserves ahead; this only happens when it fell behind.
            try reserveBlock(atLeast: messages.count)
        }
    }

    /// Returns once message `id` is in the store, if it was waiting here; at once otherwise.
    public func waitUntilWritten(_ id: MessageID) async {
        await withCheckedContinuation { continuation in
            let waiting = state.withLock { state in
                guard state.pendingIDs.contains(id) else { return false }
                state.waiters[id, default: []].append(continuation)
                return true
            }
            if waiting { wake.signal() } else { continuation.resume() }
        }
    }

    // MARK: - Writer thread

    private func reserveBlock(atLeast count: Int) throws {
        try reservation.withLock { _ in
            let needed = max(count, settings.idBlock)
            if state.withLock({ $0.freeCount }) >= needed { return }
            let block = try store.reserveMessageIDs(count: needed)
            state.withLock { $0.freeIDs.append(block) }
        }
    }

    private func writeLoop() {
        while true {
            guard let batch = nextBatch() else { break }
            write(batch)
            if state.withLock({ $0.freeCount }) < settings.idBlock / 2 + 1 {
                do { try reserveBlock(atLeast: settings.idBlock) } catch {
                    logger.error("cannot reserve message ids", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Waits until a batch is due: full, old enough, asked for by a correction, or the last.
    /// Returns nil when stopping and everything is written.
    private func nextBatch() -> [Entry]? {
        while true {
            enum Decision { case take([Entry]), wait(DispatchTime), sleep, finish }
            let decision: Decision = state.withLock { state in
                guard state.queued > 0 else { return state.stopping ? .finish : .sleep }
                let oldest = state.queue[state.queueStart].enqueuedAt
                let due = oldest.advanced(by: settings.maxDelay)
                if state.queued >= settings.maxBatch || !state.waiters.isEmpty || state.stopping || clock.now >= due {
                    let end = min(state.queue.count, state.queueStart + settings.maxBatch)
                    let batch = Array(state.queue[state.queueStart..<end])
                    state.queueStart = end
                    if state.queueStart == state.queue.count {
                        state.queue.removeAll(keepingCapacity: true)
                        state.queueStart = 0
                    } else if state.queueStart > 4096 {
                        state.queue.removeFirst(state.queueStart)
                        state.queueStart = 0
                    }
                    return .take(batch)
                }
                let remaining = clock.now.duration(to: due)
                let nanoseconds = max(0, remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000)
                return .wait(.now() + .nanoseconds(Int(nanoseconds)))
            }
            switch decision {
            case let .take(batch): return batch
            case let .wait(deadline): _ = wake.wait(timeout: deadline)
            case .sleep: wake.wait()
            case .finish: return nil
            }
        }
    }

    private func write(_ batch: [Entry]) {
        let ids = batch.map(\.id)
        let messages = batch.map(\.message)
        var attempt = 0
        while true {
            do {
                try store.recordClassified(messages, ids: ids)
                metrics.journalWritten.increment(by: Int64(batch.count))
                break
            } catch {
                attempt += 1
                if attempt >= 3 {
                    // Nothing sensible remains: the predictions are lost, the daemon goes on.
                    metrics.journalWriteErrors.increment()
                    logger.error("journal batch lost", metadata: ["error": "\(error)", "messages": "\(batch.count)"])
                    break
                }
                logger.warning("journal write failed, retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
            }
        }
        let (released, pending): ([CheckedContinuation<Void, Never>], Int) = state.withLock { state in
            var released: [CheckedContinuation<Void, Never>] = []
            for id in ids {
                state.pendingIDs.remove(id)
                if let waiting = state.waiters.removeValue(forKey: id) { released.append(contentsOf: waiting) }
            }
            return (released, state.pendingIDs.count)
        }
        metrics.journalPending.set(Double(pending))
        for continuation in released { continuation.resume() }
    }

    fileprivate func requestStop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }
}

extension Journal: Service {
    /// Writes until graceful shutdown, then writes everything still queued and returns.
    /// It is the last service to stop, so nothing is appended after that.
    public func run() async throws {
        await writer.runUntilShutdown { self.requestStop() }
    }
}
