import Dispatch

/// Wall-clock seconds a trainer spent in each phase of its steps, for `sift bench train`.
public struct PhaseTimings: Sendable, Equatable, Codable {
    /// Copying cached prefix rows into the tail's input.
    public var load = 0.0
    public var forward = 0.0
    public var backward = 0.0
    /// AdamW updates and zeroing gradients.
    public var optimizer = 0.0
    /// Forward passes of `evaluate` / `logits`.
    public var evaluation = 0.0

    public init() {}

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Seconds since `start`, and resets `start` to now.
    static func lap(_ start: inout UInt64) -> Double {
        let t = now()
        defer { start = t }
        return Double(t - start) / 1e9
    }
}
