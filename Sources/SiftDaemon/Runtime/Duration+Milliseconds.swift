import Dispatch

extension Duration {
    /// For metrics, stored latencies and JSON: milliseconds as a plain number.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

extension ContinuousClock.Instant {
    /// The same moment as a `DispatchTime` (what semaphores wait for); the past is now.
    var dispatchTime: DispatchTime {
        let remaining = ContinuousClock.now.duration(to: self)
        let nanoseconds = remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000
        return .now() + .nanoseconds(Int(max(0, nanoseconds)))
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
