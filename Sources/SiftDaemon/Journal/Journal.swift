import DequeModule
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
///
/// A batch the store refuses (a full disk, an I/O error) is kept and retried with backoff;
/// meanwhile `health` says `degraded` and the log says why. What waits is bounded
/// (`journal.max_pending_mb`): past it ``append(_:)`` refuses with `overloaded` before any id is
/// given, so a classify is either answered and kept, or refused. Only at shutdown, with the
/// store still refusing, are predictions given up: each is logged with its message id and
/// counted. Below the free-space floor (``FreeSpace``) messages are stored without their text.
public final class Journal: Sendable {
    private struct Entry {
        var id: MessageID
        var message: ClassifiedMessage
        var enqueuedAt: ContinuousClock.Instant
        /// journal.durable: told once the message is committed and fsynced (nil), or given up.
        var whenWritten: (@Sendable (ProtocolError?) -> Void)?

        /// What it holds in memory, roughly: the text and the row around it.
        var bytes: Int { Journal.bytes(of: message) }
    }

    static func bytes(of message: ClassifiedMessage) -> Int { message.text.utf8.count + 256 }

    private struct State {
        var queue: Deque<Entry> = []
        var pendingIDs: Set<MessageID> = []
        var waiters: [MessageID: [CheckedContinuation<Void, Never>]] = [:]
        /// Reserved, not yet handed out, lowest first.
        var freeIDs: [ClosedRange<MessageID>] = []
        var stopping = false
        /// The writer has written everything and returned: nothing appended now would be written.
        var finished = false
        var pendingBytes = 0
        /// Entries queued whose client waits for their commit (journal.durable).
        var awaitedEntries = 0

        var queued: Int { queue.count }
        var freeCount: Int { freeIDs.reduce(0) { $0 + $1.count } }
    }

    private let store: any SiftStore
    private let settings: Settings
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let reasons: DegradedReasons?
    private let freeSpace: FreeSpace?
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    /// One reservation at a time, so blocks arrive in increasing order.
    private let reservation = Mutex(())
    private let clock = ContinuousClock()
    private let writer: WorkerThread
    /// Set once a batch was given up at shutdown (see ``write(_:)``).
    private let storeGaveUp = Atomic<Bool>(false)

    public init(
        store: any SiftStore, settings: Settings, metrics: DaemonMetrics, logger: Logger,
        reasons: DegradedReasons? = nil, freeSpace: FreeSpace? = nil
    ) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.reasons = reasons
        self.freeSpace = freeSpace
        let box = WorkerOwner<Journal>()
        writer = WorkerThread(name: "sift-journal") { box.owner?.writeLoop() }
        box.owner = self
    }

    /// Reserves the first block of ids; call before serving. Throws if the store cannot.
    public func open() throws {
        try reserveBlock(atLeast: 1)
    }

    /// Whether replies wait for their prediction's commit (journal.durable).
    public var isDurable: Bool { settings.durable }
    /// journal.when_full: drop (and not durable): see ``Batcher``'s delivery.
    public var dropsWhenFull: Bool { settings.dropsWhenFull }

    /// Predictions answered but not yet written.
    public var pendingCount: Int { state.withLock { $0.pendingIDs.count } }

    /// Assigns ids to `messages`, queues them for writing, and returns the ids (in order)
    /// without waiting for the write. Throws `overloaded` (and assigns nothing) when the
    /// predictions waiting for the store already fill `maxPendingBytes`.
    ///
    /// With `whenWritten` (journal.durable), each message's entry calls it with its index in
    /// `messages` and its id once committed and fsynced, or with the error if it was given up;
    /// the writer takes such entries at once (group commit: what arrives during an fsync goes
    /// into the next one).
    public func append(
        _ messages: [ClassifiedMessage], whenWritten: (@Sendable (Int, MessageID, ProtocolError?) -> Void)? = nil
    ) throws -> [MessageID] {
        guard !messages.isEmpty else { return [] }
        let bytes = messages.reduce(0) { $0 + Self.bytes(of: $1) }
        while true {
            enum Outcome { case ids([MessageID]), needIDs, full(Int), finished }
            let outcome: Outcome = state.withLock { state in
                if state.finished { return .finished }
                if state.pendingBytes > 0 && state.pendingBytes + bytes > settings.maxPendingBytes { return .full(state.pendingBytes) }
                guard state.freeCount >= messages.count else { return .needIDs }
                var ids: [MessageID] = []
                ids.reserveCapacity(messages.count)
                let now = clock.now
                for (index, message) in messages.enumerated() {
                    let id = state.freeIDs[0].lowerBound
                    if state.freeIDs[0].count == 1 {
                        state.freeIDs.removeFirst()
                    } else {
                        state.freeIDs[0] = (id + 1)...state.freeIDs[0].upperBound
                    }
                    ids.append(id)
                    var notify: (@Sendable (ProtocolError?) -> Void)?
                    if let whenWritten { notify = { failure in whenWritten(index, id, failure) } }
                    state.queue.append(Entry(id: id, message: message, enqueuedAt: now, whenWritten: notify))
                    if notify != nil { state.awaitedEntries += 1 }
                    state.pendingIDs.insert(id)
                }
                state.pendingBytes += bytes
                return .ids(ids)
            }
            switch outcome {
            case let .ids(ids):
                metrics.journalPending.set(Double(pendingCount))
                metrics.journalPendingBytes.set(Double(state.withLock { $0.pendingBytes }))
                wake.signal()
                return ids
            case let .full(pending):
                metrics.overloaded.increment()
                throw ProtocolError(.overloaded, "\(pending >> 20) MiB of predictions wait for the store, which is not taking them (see health); retry later")
            case .finished:
                throw ProtocolError(.internalError, "the daemon is shutting down; the prediction was not kept")
            case .needIDs:
                break
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
        BatchStep.next(wake: wake) {
            state.withLock { state in
                guard state.queued > 0 else {
                    guard state.stopping else { return .sleep }
                    state.finished = true
                    return .finish
                }
                let ready = state.queued >= settings.maxBatch || !state.waiters.isEmpty || state.awaitedEntries > 0 || state.stopping
                return .due(oldest: state.queue.first!.enqueuedAt, maxDelay: settings.maxDelay, ready: ready) {
                    let batch = Array(state.queue.prefix(settings.maxBatch))
                    state.queue.removeFirst(batch.count)
                    return batch
                }
            }
        }
    }

    private func write(_ batch: [Entry]) {
        let ids = batch.map(\.id)
        let messages = batch.map(\.message)
        var attempt = 0
        var givenUp = false
        while true {
            do {
                let storingText = freeSpace?.allowsTexts ?? true
                try store.recordClassified(messages, ids: ids, storingText: storingText, durable: settings.durable)
                metrics.journalWritten.increment(by: Int64(batch.count))
                if !storingText { metrics.textsNotStored.increment(by: Int64(batch.count)) }
                if attempt > 0 {
                    logger.notice("journal: the store takes predictions again", metadata: ["attempts": "\(attempt + 1)"])
                }
                reasons?.set(.journal, nil)
                storeGaveUp.store(false, ordering: .relaxed)
                break
            } catch {
                attempt += 1
                metrics.journalRetries.increment()
                let pending = state.withLock { $0.pendingIDs.count }
                let reason = "cannot write predictions to the store (\(error)); \(pending) answered predictions wait in memory"
                if attempt == 1 || attempt.nonzeroBitCount == 1 {
                    logger.error("journal: \(reason); retrying", metadata: ["attempt": "\(attempt)"])
                }
                reasons?.set(.journal, reason)
                // At shutdown, a store that refused `attemptsWhenStopping` times in a row is
                // taken to be gone for this run: later batches get one attempt each, so the
                // drain ends within systemd's stop timeout however much was waiting.
                let attempts = storeGaveUp.load(ordering: .relaxed) ? 1 : settings.attemptsWhenStopping
                if state.withLock({ $0.stopping }) && attempt >= attempts {
                    storeGaveUp.store(true, ordering: .relaxed)
                    giveUp(batch, error: error)
                    givenUp = true
                    break
                }
                let backoff = min(settings.maxBackoff, .milliseconds(50) * (1 << min(attempt, 16)))
                Thread.sleep(forTimeInterval: Double(backoff.milliseconds) / 1000)
            }
        }
        let bytes = batch.reduce(0) { $0 + $1.bytes }
        let awaited = batch.reduce(0) { $0 + ($1.whenWritten == nil ? 0 : 1) }
        let (released, pending, pendingBytes): ([CheckedContinuation<Void, Never>], Int, Int) = state.withLock { state in
            var released: [CheckedContinuation<Void, Never>] = []
            for id in ids {
                state.pendingIDs.remove(id)
                if let waiting = state.waiters.removeValue(forKey: id) { released.append(contentsOf: waiting) }
            }
            state.pendingBytes -= bytes
            state.awaitedEntries -= awaited
            return (released, state.pendingIDs.count, state.pendingBytes)
        }
        metrics.journalPending.set(Double(pending))
        metrics.journalPendingBytes.set(Double(pendingBytes))
        for continuation in released { continuation.resume() }
        if !givenUp {
            for entry in batch { entry.whenWritten?(nil) }
        }
    }

    /// The last resort, at shutdown only: says which answered predictions were not stored.
    private func giveUp(_ batch: [Entry], error: any Error) {
        metrics.journalGivenUp.increment(by: Int64(batch.count))
        metrics.journalWriteErrors.increment()
        let failure = ProtocolError(.internalError, "the prediction could not be stored (\(error)); it was not kept")
        for entry in batch {
            // journal.durable: this client has no answer yet and gets the error instead.
            entry.whenWritten?(failure)
            logger.error("journal: prediction given up, not stored", metadata: [
                "message_id": "\(entry.id)", "label": "\(entry.message.prediction.label)", "error": "\(error)",
            ])
        }
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
