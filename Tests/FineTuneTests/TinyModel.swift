import GPT2
@testable import FineTune

/// A small random GPT-2 and token sequences for tests that need no shared files.
enum TinyModel {
    /// GPT-2's vocabulary size so padded pooling's `<|endoftext|>` (50256) exists; the examples use ids below 64.
    static let config = GPT2Config(vocabSize: 50257, contextLength: 16, channels: 16, layers: 3, heads: 2)

    static func weights(seed: UInt64 = 1) -> GPT2Weights {
        try! GPT2Weights.random(config: config, seed: seed)  // the config is valid
    }

    /// `count` sequences of 1...12 tokens with labels alternating 0, 1.
    static func examples(count: Int, seed: UInt64 = 2) -> [TokenizedExample] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { i in
            let length = 1 + Int(rng.next() % 12)
            return TokenizedExample(ids: (0..<length).map { _ in Int(rng.next() % 64) }, label: i % 2)
        }
    }
}
