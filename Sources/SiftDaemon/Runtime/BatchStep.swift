import Dispatch

/// What a thread that takes work in batches (the batcher, the journal) does next, decided
/// under its lock: take a batch, wait until the oldest entry is due, sleep until woken, or stop.
enum BatchStep<Batch> {
    case take(Batch)
    case wait(until: ContinuousClock.Instant)
    case sleep
    case finish

    /// A batch is due when `ready` (full, stopping, or someone waits on it) or once the oldest
    /// entry, which arrived at `oldest`, has waited `maxDelay`.
    static func due(oldest: ContinuousClock.Instant, maxDelay: Duration, ready: Bool, take: () -> Batch) -> BatchStep {
        let due = oldest.advanced(by: maxDelay)
        return ready || ContinuousClock.now >= due ? .take(take()) : .wait(until: due)
    }

    /// Decides, and waits on `wake` as told, until a batch is taken (returned) or the queue is
    /// finished (nil). Whoever adds work or stops signals `wake`.
    static func next(wake: DispatchSemaphore, decide: () -> BatchStep) -> Batch? {
        while true {
            switch decide() {
            case let .take(batch): return batch
            case let .wait(deadline): _ = wake.wait(timeout: deadline.dispatchTime)
            case .sleep: wake.wait()
            case .finish: return nil
            }
        }
    }
}
