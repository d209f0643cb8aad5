import Foundation
import GPT2
import Logging
import ServiceLifecycle
import SpamStore
import Synchronization

/// What `classify` answers.
public struct ClassifyResult: Sendable {
    public var messageID: MessageID
    public var label: String
    /// One per label, in the model's label order.
    public var probabilities: [(label: String, probability: Float)]
    public var modelVersion: String
}

/// Gathers classify requests from all connections into batches for the engine.
///
/// The classifier runs one packed forward pass per batch and is not reentrant, so it gets a
/// thread of its own. A batch starts when `maxBatchSize` distinct texts are waiting, or when
/// the oldest has waited `maxDelay` while the engine was idle; while the engine is busy,
/// arrivals pile up and the next batch starts full. Requests for a text already waiting or
/// being computed join that computation (spam campaigns repeat themselves); each still gets
/// its own message id. Predictions go to the ``Journal`` before the replies go out.
public final class Batcher: Sendable {
    public struct Settings: Sendable, Equatable {
        public var maxBatchSize: Int
        public var maxDelay: Duration

        public init(_ config: DaemonConfig.Batching) {
            maxBatchSize = config.maxBatchSize
            maxDelay = .milliseconds(config.maxDelayMilliseconds)
        }
    }

    private struct Waiter {
        var peer: Peer?
        var receivedAt: Date
        var arrived: ContinuousClock.Instant
        var continuation: CheckedContinuation<ClassifyResult, any Error>
    }

    private struct State {
        /// Texts not yet taken into a batch, in arrival order.
        var order: [String] = []
        var orderStart = 0
        var waiting: [String: [Waiter]] = [:]
        /// Texts in the batch being computed, with everyone waiting for them.
        var running: [String: [Waiter]] = [:]
        var settings: Settings
        var stopping = false
        /// When the batch being computed was taken; nil while idle. The watchdog reads it.
        var batchStartedAt: ContinuousClock.Instant?

        var queued: Int { order.count - orderStart }
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

    /// Whether the serving path keeps up: false when the batch being computed, or the oldest
    /// waiting request, is older than `limit` (a stuck batcher thread). Idle counts as serving.
    public func isMakingProgress(within limit: Duration) -> Bool {
        let now = clock.now
        return state.withLock { state in
            if let started = state.batchStartedAt, started.duration(to: now) > limit { return false }
            if state.queued > 0, let oldest = state.waiting[state.order[state.orderStart]]?.first?.arrived,
               oldest.duration(to: now) > limit {
                return false
            }
            return true
        }
    }

    /// Takes effect from the next batch.
    public func update(_ settings: Settings) {
        state.withLock { $0.settings = settings }
        wake.signal()
    }

    /// Classifies `text`, sharing the computation with identical texts in flight.
    public func classify(_ text: String, peer: Peer?) async throws -> ClassifyResult {
        let receivedAt = Date()
        let arrived = clock.now
        return try await withCheckedThrowingContinuation { continuation in
            let waiter = Waiter(peer: peer, receivedAt: receivedAt, arrived: arrived, continuation: continuation)
            let accepted: Bool = state.withLock { state in
                guard !state.stopping else { return false }
                if state.running[text] != nil {
                    state.running[text]!.append(waiter)
                    metrics.duplicateTexts.increment()
                } else if state.waiting[text] != nil {
                    state.waiting[text]!.append(waiter)
                    metrics.duplicateTexts.increment()
                } else {
                    state.waiting[text] = [waiter]
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

    /// Waits until a batch is due and takes it; nil once stopping with nothing left.
    private func nextBatch() -> [String]? {
        while true {
            enum Decision { case take([String]), wait(DispatchTime), sleep, finish }
            let decision: Decision = state.withLock { state in
                guard state.queued > 0 else { return state.stopping ? .finish : .sleep }
                let settings = state.settings
                let oldest = state.waiting[state.order[state.orderStart]]![0].arrived
                let due = oldest.advanced(by: settings.maxDelay)
                guard state.queued >= settings.maxBatchSize || state.stopping || clock.now >= due else {
                    let remaining = clock.now.duration(to: due)
                    let nanoseconds = remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000
                    return .wait(.now() + .nanoseconds(Int(max(0, nanoseconds))))
                }
                let end = min(state.order.count, state.orderStart + settings.maxBatchSize)
                let texts = Array(state.order[state.orderStart..<end])
                state.orderStart = end
                if state.orderStart == state.order.count {
                    state.order.removeAll(keepingCapacity: true)
                    state.orderStart = 0
                } else if state.orderStart > 4096 {
                    state.order.removeFirst(state.orderStart)
                    state.orderStart = 0
                }
                for text in texts { state.running[text] = state.waiting.removeValue(forKey: text) }
                state.batchStartedAt = clock.now
                return .take(texts)
            }
            switch decision {
            case let .take(texts): return texts
            case let .wait(deadline): _ = wake.wait(timeout: deadline)
            case .sleep: wake.wait()
            case .finish: return nil
            }
        }
    }

    private func run(_ texts: [String]) {
        let model = models.current
        let started = clock.now
        let tokens = texts.map { model.tokenizer.encode($0) }
        let predictions = model.classifier.classify(tokenIDs: tokens)
        let elapsed = clock.now - started
        metrics.batchSize.record(Double(texts.count))
        metrics.batchSeconds.record(elapsed)

        let groups: [[Waiter]] = state.withLock { state in
            state.batchStartedAt = nil
            return texts.map { state.running.removeValue(forKey: $0) ?? [] }
        }
        let labels = model.labels
        let share = elapsed / texts.count
        var messages: [ClassifiedMessage] = []
        for (index, group) in groups.enumerated() {
            let prediction = predictions[index]
            let stored = PredictionRecord(
                modelVersion: model.version, label: prediction.label,
                probability: Double(prediction.probabilities[prediction.labelIndex]).clamped(to: 0...1),
                latencyMilliseconds: share.milliseconds)
            for waiter in group {
                messages.append(ClassifiedMessage(text: texts[index], receivedAt: waiter.receivedAt, peer: waiter.peer, prediction: stored))
            }
        }
        let ids: [MessageID]
        do {
            ids = try journal.append(messages)
        } catch {
            logger.error("cannot assign message ids", metadata: ["error": "\(error)"])
            for waiter in groups.joined() { waiter.continuation.resume(throwing: ProtocolError.internalError(error)) }
            return
        }
        var next = 0
        let now = clock.now
        for (index, group) in groups.enumerated() {
            let prediction = predictions[index]
            let probabilities = zip(labels, prediction.probabilities).map { (label: $0, probability: $1) }
            for waiter in group {
                metrics.classifyLatency.record(now - waiter.arrived)
                logger.debug("classified", metadata: [
                    "message_id": "\(ids[next])", "label": "\(prediction.label)", "model_version": "\(model.version)",
                    "probability": "\(prediction.probabilities[prediction.labelIndex])",
                ])
                waiter.continuation.resume(returning: ClassifyResult(
                    messageID: ids[next], label: prediction.label, probabilities: probabilities, modelVersion: model.version))
                next += 1
            }
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
