import Foundation
import GPT2

/// Pieces the benchmarks share.
enum Bench {
    /// A seeded random ham/spam head of width `channels`: speed does not depend on its values.
    static func randomHead(channels: Int) throws -> ClassifierHead {
        var rng = SeededRandom(seed: 7)
        return try ClassifierHead(
            weight: Tensor(shape: [2, channels], values: (0..<(2 * channels)).map { _ in rng.nextNormal() * 0.02 }),
            bias: Tensor(zeros: [2]), labels: ["ham", "spam"])
    }

    /// A fresh directory under /tmp (short, as Unix socket paths must be) named `prefix-XXXXXX`.
    static func makeTemporaryDirectory(prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CLIError("cannot make a temporary directory") }
        return String(cString: made)
    }

    /// The `p` quantile (0...1) of `values`, nearest rank; 0 for none.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
