import GPT2

/// The randomised tests' seeded generator: the project's own SplitMix64 (GPT2's
/// `SeededRandom`, which seeds random models and shuffles), so every run and every failing
/// case is the same on every machine.
public typealias SplitMix64 = SeededRandom
