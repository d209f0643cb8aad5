import Dispatch

extension Duration {
    /// For metrics, stored latencies and JSON: milliseconds as a plain number.
    var milliseconds: Double {
        self / .milliseconds(1)
    }
}

extension ContinuousClock.Instant {
    /// The same moment as a `DispatchTime` (what semaphores wait for); the past is now.
    var dispatchTime: DispatchTime {
        let nanoseconds = ContinuousClock.now.duration(to: self) / .nanoseconds(1)
        return .now() + .nanoseconds(Int(max(0, nanoseconds.rounded(.up))))
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
