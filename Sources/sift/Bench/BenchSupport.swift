import ArgumentParser
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

/// The random model and the texts of `bench serve` and `bench retrain`.
struct RandomModelOptions: ParsableArguments {
    @Option(help: "Model shape: gpt2, gpt2-medium, gpt2-large, gpt2-xl.")
    var shape = "gpt2"

    @Option(help: "Labeled texts (label<TAB>text per line).")
    var data: String?

    @Option(help: "Tokenizer directory (vocab.json + merges.txt or encoder.json + vocab.bpe).")
    var vocab: String?

    func validate() throws {
        guard GPT2Config.named[shape] != nil else {
            throw ValidationError("--shape must be one of \(GPT2Config.named.keys.sorted().joined(separator: ", "))")
        }
    }

    var config: GPT2Config { GPT2Config.named[shape]! }  // checked by validate()
    var dataFile: URL { data.map { URL(fileURLWithPath: $0) } ?? CLI.defaultSMSFile }
    var tokenizerDirectory: URL { vocab.map { URL(fileURLWithPath: $0) } ?? CLI.defaultTokenizerDirectory }
}
