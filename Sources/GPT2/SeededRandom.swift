import Foundation

/// A small, fast, seedable generator (SplitMix64) so random models and shuffles are reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    public mutating func nextUnit() -> Float { Float(next() >> 40) * (1.0 / Float(1 << 24)) }

    /// A standard normal sample (Box-Muller).
    public mutating func nextNormal() -> Float { nextNormalPair().0 }

    /// Two independent standard normal samples from one Box-Muller transform.
    public mutating func nextNormalPair() -> (Float, Float) {
        let u1 = max(nextUnit(), 1e-7)
        let angle = 2 * Float.pi * nextUnit()
        let radius = (-2 * logf(u1)).squareRoot()
        return (radius * cosf(angle), radius * sinf(angle))
    }
}
