import Foundation
import SpamStore

extension Batcher {
    /// The model's answer for one distinct text, and everyone who asked for it.
    struct Answer {
        var text: String
        var probabilities: [Float]
        var waiters: [Waiter]
        /// What the answer cost: its share of the batch's time, or the cache lookup's.
        var cost: Duration
    }

    /// Decides each answer by `thresholds`, journals one prediction per request (made by
    /// `model`), and replies to each with its own message id: once the id is given, or with
    /// journal.durable once the prediction is committed. The journal may block briefly when it
    /// must reserve more ids, which only happens when its writer has fallen behind.
    func deliver(_ answers: [Answer], model: ServingModel, thresholds: ClassifyThresholds) {
        let labels = model.labels
        var messages: [ClassifiedMessage] = []
        // One reply per message, in the order of `messages`; its id comes from the journal.
        var replies: [(waiter: Waiter, result: ClassifyResult)] = []
        for answer in answers {
            let decision = thresholds.decide(labels: labels, probabilities: answer.probabilities)
            let stored = PredictionRecord(
                modelVersion: model.version, label: labels[decision.labelIndex],
                probability: Double(answer.probabilities[decision.labelIndex]).clamped(to: 0...1),
                latencyMilliseconds: answer.cost.milliseconds)
            let result = ClassifyResult(
                messageID: 0, label: labels[decision.labelIndex], verdict: decision.verdict, spamProbability: decision.spamProbability,
                probabilities: zip(labels, answer.probabilities).map { (label: $0, probability: $1) }, modelVersion: model.version)
            for waiter in answer.waiters {
                messages.append(ClassifiedMessage(text: answer.text, receivedAt: waiter.receivedAt, peer: waiter.peer, prediction: stored))
                replies.append((waiter, result))
            }
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
        } catch where journal.dropsWhenFull {
            // journal.when_full: drop. The journal is full or has no ids (the store is out of
            // reach): answer anyway, with no message id, and count what is not kept.
            metrics.predictionsLost.increment(by: Int64(replies.count))
            if lostLogged.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
                logger.error("classify: answering without storing predictions (journal.when_full: drop)", metadata: ["error": "\(error)"])
            }
            for index in replies.indices { answer(index, ClassifyResult.notStored) }
        } catch {
            // Refused before any id was given: nothing was answered, so nothing is lost.
            let refusal = error as? ProtocolError
                ?? ProtocolError(.overloaded, "the store cannot take predictions now (\(error)); retry later")
            logger.error("classify refused: predictions cannot be journaled", metadata: ["error": "\(error)"])
            for reply in replies { reply.waiter.continuation.resume(throwing: refusal) }
        }
    }
}
