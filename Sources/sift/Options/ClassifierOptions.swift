import ArgumentParser
import Foundation
import GPT2
import GPT2Tokenizer

/// A base model plus a classifier file, as `sift predict` and `sift eval` load them (the
/// daemon loads the same pair).
struct ClassifierOptions: ParsableArguments {
    @Option(help: "Base model directory (model.safetensors, config.json and tokenizer files).")
    var base: String

    @Option(help: "Classifier safetensors (score.weight/score.bias, optionally trained blocks). Default: head.safetensors in the base directory.")
    var classifier: String?

    @Option(help: "Pooling override: last (last real token) or padded:N (the reference's right-padding). Default: the classifier's, else last.")
    var pooling: String?

    @OptionGroup var precision: PrecisionOption

    func validate() throws {
        if let pooling, Pooling(pooling) == nil { throw ValidationError("--pooling must be last or padded:N, got \(pooling)") }
    }

    func load() throws -> (Classifier, BPETokenizer) {
        let baseURL = URL(fileURLWithPath: base)
        let model = try Classifier(baseDirectory: baseURL, classifierFile: classifier.map { URL(fileURLWithPath: $0) },
                                   pooling: pooling.flatMap(Pooling.init), precision: precision.resolved)
        return (model, try BPETokenizer(directory: baseURL))
    }
}
