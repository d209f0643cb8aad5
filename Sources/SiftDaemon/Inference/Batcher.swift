import DequeModule
import Foundation
import GPT2
import Logging
import ServiceLifecycle
import SpamStore
import Synchronization

/// Gathers classify requests from all connections into batches for the engine.
///
/// The classifier runs one packed forward pass per batch and is not reentrant, so each batch
/// worker (`batching.workers`, usually one) is a thread of its own with an engine of its own
/// (``ServingModel/engine(forWorker:)``), all taking batches from one queue. A batch starts
/// when `maxBatchSize` distinct texts are waiting, or when the oldest has waited `maxDelay`
/// while a worker was idle; while the workers are busy, arrivals pile up and the next batch
/// starts full. A batch holds at most `maxBatchTokens` tokens, so none takes long however
/// long the texts. Spam campaigns repeat themselves: a text the serving model answered
/// recently is answered from the ``VerdictCache`` at once, without queueing, and a request
/// for a text already waiting or being computed joins that computation; each still gets its
/// own message id and its own stored prediction. A text is tokenized on arrival, only as far
/// as the model reads. A request whose client has gone is dropped when its batch is formed.
/// Predictions go to the ``Journal`` before the replies go out.
public final class Batcher: Sendable {
    struct Waiter: Sendable {
        var peer: Peer?
        var presence: ClientPresence?
        var receivedAt: Date
        var arrived: ContinuousClock.Instant
        var continuation: CheckedContinuation<ClassifyResult, any Error>
    }

    /// A distinct text waiting for a batch: its tokens (as far as the model reads) and who asked.
    private struct Pending {
        var tokens: [Int]
        var tokenizer: ObjectIdentifier
        /// Where the answer goes in the verdict cache; nil while the cache is off.
        var digest: TextDigest?
        var waiters: [Waiter]
    }

    private struct State {
        /// Texts not yet taken into a batch, in arrival order.
        var order: Deque<TextKey> = []
        var waiting: [TextKey: Pending] = [:]
        /// Texts in the batch being computed, with everyone waiting for them.
        var running: [TextKey: [Waiter]] = [:]
        var settings: Settings
        var stopping = false
        /// When each worker's batch in progress was taken; nil while it is idle. The watchdog reads it.
        var batchStartedAt: [ContinuousClock.Instant?]
        /// When the last batch finished.
        var batchEndedAt: ContinuousClock.Instant?

        var queued: Int { order.count }
    }

    private let models: ModelProvider
    let journal: Journal
    let metrics: DaemonMetrics
    let logger: Logger
    /// Whether answering without storing (journal.when_full: drop) was logged: once per run.
    let lostLogged = Atomic<Bool>(false)
    private let state: Mutex<State>
    /// Signalled once per text queued, once per worker at stop, and by a worker that leaves
    /// texts behind; a worker woken with nothing to do goes back to sleep.
    private let wake = DispatchSemaphore(value: 0)
    let clock = ContinuousClock()
    private let workers: [WorkerThread]
    /// `model.threads`, for the one worker: how they divide between OpenBLAS and oneDNN
    /// follows the model being served (``ComputeThreads``), which a reload may change.
    private let threads: Int
    let cache: VerdictCache
    /// Where cache hits are journaled and answered: `Journal.append` may block on a SQLite write
    /// to reserve message ids, which must not happen on Swift's cooperative pool (as many
    /// threads as cores: two blocked hits would stall every other request).
    private let hitDelivery = DispatchQueue(label: "sift-cache-hits")

    public init(models: ModelProvider, journal: Journal, settings: Settings, metrics: DaemonMetrics, logger: Logger) {
        self.models = models
        self.journal = journal
        self.metrics = metrics
        self.logger = logger
        state = Mutex(State(settings: settings, batchStartedAt: Array(repeating: nil, count: settings.workers)))
        cache = VerdictCache(capacity: settings.cacheEntries, metrics: metrics)
        threads = settings.threads
        let box = WorkerOwner<Batcher>()
        workers = (0..<settings.workers).map { index in
            WorkerThread(name: settings.workers == 1 ? "sift-batcher" : "sift-batcher-\(index)") { box.owner?.loop(worker: index) }
        }
        box.owner = self
    }

    /// Texts waiting for a batch (not counting the one being computed).
    public var queuedCount: Int { state.withLock { $0.queued } }

    /// Whether the serving path moves: false when the batch being computed started more than
    /// `limit` ago, or when work waits and no batch has started or ended for `limit` (a stuck
    /// batcher thread). A long queue is not a hang: while batches complete, this stays true,
    /// however long the requests wait (admission control bounds that). Idle counts as serving.
    public func isMakingProgress(within limit: Duration) -> Bool {
        let now = clock.now
        return state.withLock { state in
            let started = state.batchStartedAt.compactMap { $0 }
            if !started.isEmpty { return started.allSatisfy { $0.duration(to: now) <= limit } }
            guard state.queued > 0 else { return true }
            if let ended = state.batchEndedAt, ended.duration(to: now) <= limit { return true }
            guard let first = state.order.first, let oldest = state.waiting[first]?.waiters.first?.arrived else { return true }
            return oldest.duration(to: now) <= limit
        }
    }

    /// Takes effect from the next batch (the cache's size at once); the number of workers is
    /// fixed at start.
    public func update(_ settings: Settings) {
        let old = state.withLock { state in
            defer { state.settings = settings }
            return state.settings
        }
        if settings.cacheEntries != old.cacheEntries { cache.resize(to: settings.cacheEntries) }
        // Against the workers running, not the last settings: a second reload of the same file
        // must still say that the change has not taken effect.
        if settings.workers != workers.count {
            logger.warning("batching.workers takes effect only after a restart", metadata: ["workers": "\(workers.count)"])
        }
        wake.signal()
    }

    /// Classifies `text`: from the verdict cache when the serving model answered it recently,
    /// else sharing the computation with identical texts in flight. A request whose `presence`
    /// says the client has gone by the time its batch forms is dropped.
    public func classify(_ text: String, peer: Peer?, presence: ClientPresence? = nil) async throws -> ClassifyResult {
        let receivedAt = Date()
        let arrived = clock.now
        let model = models.current
        let digest = cache.isEnabled ? TextDigest(text) : nil
        if let digest, let probabilities = cache.probabilities(for: digest, model: model) {
            return try await answerFromCache(text, probabilities: probabilities, model: model,
                                             peer: peer, receivedAt: receivedAt, arrived: arrived)
        }
        let tokens = model.tokenizer.encodePrefix(text, maxTokens: model.classifier.model.config.contextLength)
        let tokenizer = ObjectIdentifier(model.tokenizer)
        let text = TextKey(text)
        return try await withCheckedThrowingContinuation { continuation in
            let waiter = Waiter(peer: peer, presence: presence, receivedAt: receivedAt, arrived: arrived, continuation: continuation)
            let accepted: Bool = state.withLock { state in
                guard !state.stopping else { return false }
                if state.running[text] != nil {
                    state.running[text]!.append(waiter)
                    metrics.duplicateTexts.increment()
                } else if state.waiting[text] != nil {
                    state.waiting[text]!.waiters.append(waiter)
                    metrics.duplicateTexts.increment()
                } else {
                    state.waiting[text] = Pending(tokens: tokens, tokenizer: tokenizer, digest: digest, waiters: [waiter])
                    state.order.append(text)
                }
                return true
            }
            if accepted {
                wake.signal()
            } else {
                continuation.resume(throwing: ProtocolError(.internalError, "the daemon is shutting down"))
            }
        }
    }

    /// A repeat: answered (and journaled) at once, as a batch of one that needed no forward pass,
    /// on `hitDelivery`'s thread rather than the caller's task.
    private func answerFromCache(
        _ text: String, probabilities: [Float], model: ServingModel, peer: Peer?, receivedAt: Date, arrived: ContinuousClock.Instant
    ) async throws -> ClassifyResult {
        let (stopping, thresholds) = state.withLock { ($0.stopping, $0.settings.thresholds) }
        guard !stopping else { throw ProtocolError(.internalError, "the daemon is shutting down") }
        return try await withCheckedThrowingContinuation { continuation in
            let waiter = Waiter(peer: peer, presence: nil, receivedAt: receivedAt, arrived: arrived, continuation: continuation)
            let answer = Answer(text: text, probabilities: probabilities, waiters: [waiter], cost: clock.now - arrived)
            hitDelivery.async { self.deliver([answer], model: model, thresholds: thresholds) }
        }
    }

    // MARK: - Batch workers

    private func loop(worker: Int) {
        while let texts = nextBatch(worker: worker) {
            run(texts, worker: worker)
        }
    }

    /// A batch: distinct texts, their tokens, and who waits for each.
    private struct Batch {
        var texts: [String] = []
        var keys: [TextKey] = []
        var tokens: [[Int]] = []
        var tokenizers: [ObjectIdentifier] = []
        var digests: [TextDigest?] = []
    }

    /// Waits until a batch is due and takes it; nil once stopping with nothing left.
    private func nextBatch(worker: Int) -> Batch? {
        BatchStep.next(wake: wake) {
            var abandoned: [Waiter] = []
            var more = false
            let step: BatchStep<Batch> = state.withLock { state in
                Self.dropAbandoned(&state, into: &abandoned)
                guard state.queued > 0 else { return state.stopping ? .finish : .sleep }
                let oldest = state.waiting[state.order.first!]!.waiters[0].arrived
                return .due(oldest: oldest, maxDelay: state.settings.maxDelay,
                            ready: state.queued >= state.settings.maxBatchSize || state.stopping) {
                    defer { more = state.queued > 0 }
                    return Self.takeBatch(&state, worker: worker)
                }
            }
            // What this batch left is for another worker, if one is idle.
            if more && workers.count > 1 { wake.signal() }
            if !abandoned.isEmpty {
                metrics.abandonedTexts.increment(by: Int64(abandoned.count))
                for waiter in abandoned {
                    waiter.continuation.resume(throwing: ProtocolError(.internalError, "the client disconnected"))
                }
            }
            return step
        }
    }

    /// The texts at the front of the queue, as many as `maxBatchSize` and `maxBatchTokens` allow
    /// (at least one), moved from waiting to running.
    private static func takeBatch(_ state: inout State, worker: Int) -> Batch {
        let settings = state.settings
        var batch = Batch()
        var tokenCount = 0
        while let key = state.order.first, batch.texts.count < settings.maxBatchSize {
            let pending = state.waiting[key]!
            let cost = max(1, pending.tokens.count)
            if !batch.texts.isEmpty && tokenCount + cost > settings.maxBatchTokens { break }
            tokenCount += cost
            state.order.removeFirst()
            state.waiting[key] = nil
            state.running[key] = pending.waiters
            batch.texts.append(key.text)
            batch.keys.append(key)
            batch.tokens.append(pending.tokens)
            batch.tokenizers.append(pending.tokenizer)
            batch.digests.append(pending.digest)
        }
        state.batchStartedAt[worker] = .now
        return batch
    }

    /// Takes out the requests of clients that have gone, and texts nobody waits for any more,
    /// from the front of the queue (where the next batch comes from).
    private static func dropAbandoned(_ state: inout State, into abandoned: inout [Waiter]) {
        var index = state.order.startIndex
        var kept = 0
        while index < state.order.count, kept < state.settings.maxBatchSize {
            let text = state.order[index]
            var pending = state.waiting[text]!
            let before = pending.waiters.count
            pending.waiters.removeAll { waiter in
                guard let presence = waiter.presence, !presence.isConnected else { return false }
                abandoned.append(waiter)
                return true
            }
            if pending.waiters.isEmpty {
                state.waiting[text] = nil
                state.order.remove(at: index)
                continue
            }
            if pending.waiters.count != before { state.waiting[text] = pending }
            kept += 1
            index += 1
        }
    }

    private func run(_ batch: Batch, worker: Int) {
        let model = models.current
        let texts = batch.texts
        let started = clock.now
        // Tokens made by another tokenizer (a reload in between) are made again by this one.
        let tokens = texts.indices.map { index in
            batch.tokenizers[index] == ObjectIdentifier(model.tokenizer)
                ? batch.tokens[index] : model.tokenizer.encodePrefix(texts[index], maxTokens: model.classifier.model.config.contextLength)
        }
        if workers.count == 1 { ComputeThreads(threads, precision: model.classifier.model.precision).applyIfChanged() }
        let predictions = model.engine(forWorker: worker).classify(tokenIDs: tokens)
        let elapsed = clock.now - started
        metrics.batchSize.record(Double(texts.count))
        metrics.batchSeconds.record(elapsed)
        // Cached before the texts leave `running`. A repeat that looked the cache up just before
        // this and reaches the queue just after finds neither, and is computed once more: a
        // wasted forward pass, never a wrong answer.
        let serving = models.current
        for (digest, prediction) in zip(batch.digests, predictions) {
            if let digest { cache.insert(prediction.probabilities, for: digest, model: model, serving: serving) }
        }

        let (groups, thresholds): ([[Waiter]], ClassifyThresholds) = state.withLock { state in
            state.batchStartedAt[worker] = nil
            state.batchEndedAt = clock.now
            return (batch.keys.map { state.running.removeValue(forKey: $0) ?? [] }, state.settings.thresholds)
        }
        let share = elapsed / texts.count
        let answers = groups.indices.map { index in
            Answer(text: texts[index], probabilities: predictions[index].probabilities, waiters: groups[index], cost: share)
        }
        deliver(answers, model: model, thresholds: thresholds)
    }

    fileprivate func requestStop() {
        state.withLock { $0.stopping = true }
        for _ in workers { wake.signal() }
    }
}

extension Batcher: Service {
    /// Classifies until graceful shutdown, then finishes what is queued and returns.
    public func run() async throws {
        // OpenBLAS 0.3.21 (Debian 12) has one thread count per process, and runs threaded
        // GEMMs one at a time under a global lock: workers side by side each run theirs on
        // their own thread instead (oneDNN's too, for packed blocks).
        let threads = ComputeThreads.current
        if workers.count > 1 { ComputeThreads(blas: 1, oneDNN: 1).apply() }
        defer { if workers.count > 1 { threads.apply() } }
        await withTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { await worker.runUntilShutdown { self.requestStop() } }
            }
        }
    }
}
