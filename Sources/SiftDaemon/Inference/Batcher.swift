import DequeModule
import Foundation
import GPT2
import Logging
import ServiceLifecycle
import SpamStore
import Synchronization

/// Gathers classify requests from all connections into batches for the engine.
///
/// The classifier runs one packed forward pass per batch and is not reentrant, so it gets a
/// thread of its own. A batch starts when `maxBatchSize` distinct texts are waiting, or when
/// the oldest has waited `maxDelay` while the engine was idle; while the engine is busy,
/// arrivals pile up and the next batch starts full. A batch holds at most `maxBatchTokens`
/// tokens, so none takes long however long the texts. Requests for a text already waiting or
/// being computed join that computation (spam campaigns repeat themselves); each still gets
/// its own message id. A text is tokenized on arrival, only as far as the model reads. A
/// request whose client has gone is dropped when its batch is formed. Predictions go to the
/// ``Journal`` before the replies go out.
public final class Batcher: Sendable {
    private struct Waiter: Sendable {
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
        /// When the batch being computed was taken; nil while idle. The watchdog reads it.
        var batchStartedAt: ContinuousClock.Instant?
        /// When the last batch finished.
        var batchEndedAt: ContinuousClock.Instant?

        var queued: Int { order.count }
    }

    private let models: ModelProvider
    private let journal: Journal
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let clock = ContinuousClock()
    private let worker: WorkerThread

    public init(models: ModelProvider, journal: Journal, settings: Settings, metrics: DaemonMetrics, logger: Logger) {
        self.models = models
        self.journal = journal
        self.metrics = metrics
        self.logger = logger
        state = Mutex(State(settings: settings))
        let box = WorkerOwner<Batcher>()
        worker = WorkerThread(name: "sift-batcher") { box.owner?.loop() }
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
            if let started = state.batchStartedAt { return started.duration(to: now) <= limit }
            guard state.queued > 0 else { return true }
            if let ended = state.batchEndedAt, ended.duration(to: now) <= limit { return true }
            guard let first = state.order.first, let oldest = state.waiting[first]?.waiters.first?.arrived else { return true }
            return oldest.duration(to: now) <= limit
        }
    }

    /// Takes effect from the next batch.
    public func update(_ settings: Settings) {
        state.withLock { $0.settings = settings }
        wake.signal()
    }

    /// Classifies `text`, sharing the computation with identical texts in flight. A request
    /// whose `presence` says the client has gone by the time its batch forms is dropped.
    public func classify(_ text: String, peer: Peer?, presence: ClientPresence? = nil) async throws -> ClassifyResult {
        let receivedAt = Date()
        let arrived = clock.now
        let model = models.current
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
                    state.waiting[text] = Pending(tokens: tokens, tokenizer: tokenizer, waiters: [waiter])
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

    // MARK: - Batcher thread

    private func loop() {
        while let texts = nextBatch() {
            run(texts)
        }
    }

    /// A batch: distinct texts, their tokens, and who waits for each.
    private struct Batch {
        var texts: [String] = []
        var keys: [TextKey] = []
        var tokens: [[Int]] = []
        var tokenizers: [ObjectIdentifier] = []
    }

    /// Waits until a batch is due and takes it; nil once stopping with nothing left.
    private func nextBatch() -> Batch? {
        BatchStep.next(wake: wake) {
            var abandoned: [Waiter] = []
            let step: BatchStep<Batch> = state.withLock { state in
                Self.dropAbandoned(&state, into: &abandoned)
                guard state.queued > 0 else { return state.stopping ? .finish : .sleep }
                let oldest = state.waiting[state.order.first!]!.waiters[0].arrived
                return .due(oldest: oldest, maxDelay: state.settings.maxDelay,
                            ready: state.queued >= state.settings.maxBatchSize || state.stopping) { Self.takeBatch(&state) }
            }
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
    private static func takeBatch(_ state: inout State) -> Batch {
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
        }
        state.batchStartedAt = .now
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

    private func run(_ batch: Batch) {
        let model = models.current
        let texts = batch.texts
        let started = clock.now
        // Tokens made by another tokenizer (a reload in between) are made again by this one.
        let tokens = texts.indices.map { index in
            batch.tokenizers[index] == ObjectIdentifier(model.tokenizer)
                ? batch.tokens[index] : model.tokenizer.encodePrefix(texts[index], maxTokens: model.classifier.model.config.contextLength)
        }
        let predictions = model.classifier.classify(tokenIDs: tokens)
        let elapsed = clock.now - started
        metrics.batchSize.record(Double(texts.count))
        metrics.batchSeconds.record(elapsed)

        let groups: [[Waiter]] = state.withLock { state in
            state.batchStartedAt = nil
            state.batchEndedAt = clock.now
            return batch.keys.map { state.running.removeValue(forKey: $0) ?? [] }
        }
        let labels = model.labels
        let thresholds = state.withLock { $0.settings.thresholds }
        let decisions = predictions.map { thresholds.decide(labels: labels, probabilities: $0.probabilities) }
        let share = elapsed / texts.count
        var messages: [ClassifiedMessage] = []
        for (index, group) in groups.enumerated() {
            let prediction = predictions[index]
            let decision = decisions[index]
            let stored = PredictionRecord(
                modelVersion: model.version, label: labels[decision.labelIndex],
                probability: Double(prediction.probabilities[decision.labelIndex]).clamped(to: 0...1),
                latencyMilliseconds: share.milliseconds)
            for waiter in group {
                messages.append(ClassifiedMessage(text: texts[index], receivedAt: waiter.receivedAt, peer: waiter.peer, prediction: stored))
            }
        }
        // One reply per message, in the order of `messages`; its id comes from the journal.
        var replies: [(waiter: Waiter, result: ClassifyResult)] = []
        replies.reserveCapacity(messages.count)
        for (index, group) in groups.enumerated() {
            let decision = decisions[index]
            let probabilities = zip(labels, predictions[index].probabilities).map { (label: $0, probability: $1) }
            let result = ClassifyResult(
                messageID: 0, label: labels[decision.labelIndex], verdict: decision.verdict, spamProbability: decision.spamProbability,
                probabilities: probabilities, modelVersion: model.version)
            for waiter in group { replies.append((waiter, result)) }
        }
        let answer: @Sendable (Int, MessageID) -> Void = { [replies, metrics, logger, clock] index, id in
            var (waiter, result) = replies[index]
            result.messageID = id
            metrics.classifyLatency.record(clock.now - waiter.arrived)
            logger.debug("classified", metadata: [
                "message_id": "\(id)", "label": "\(result.label)", "model_version": "\(result.modelVersion)",
            ])
            waiter.continuation.resume(returning: result)
        }
        do {
            if journal.isDurable {
                // journal.durable: each reply waits for the (group) commit of its prediction.
                let waiters = replies.map(\.waiter)
                _ = try journal.append(messages) { index, id, failure in
                    if let failure { waiters[index].continuation.resume(throwing: failure) } else { answer(index, id) }
                }
            } else {
                let ids = try journal.append(messages)
                for index in ids.indices { answer(index, ids[index]) }
            }
        } catch {
            // Refused before any id was given: nothing was answered, so nothing is lost.
            let refusal = error as? ProtocolError
                ?? ProtocolError(.overloaded, "the store cannot take predictions now (\(error)); retry later")
            logger.error("classify refused: predictions cannot be journaled", metadata: ["error": "\(error)"])
            for reply in replies { reply.waiter.continuation.resume(throwing: refusal) }
        }
    }

    fileprivate func requestStop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }
}

extension Batcher: Service {
    /// Classifies until graceful shutdown, then finishes what is queued and returns.
    public func run() async throws {
        await worker.runUntilShutdown { self.requestStop() }
    }
}
