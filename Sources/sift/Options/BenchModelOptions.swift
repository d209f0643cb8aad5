import ArgumentParser
import Foundation
import GPT2

/// The random model and the texts of `bench serve` and `bench retrain`.
struct RandomModelOptions: ParsableArguments {
    @Option(help: "Model shape: gpt2, gpt2-medium, gpt2-large, gpt2-xl.")
    var shape = "gpt2"

    @Option(help: "Labeled texts (label<TAB>text per line). Default: ../shared's SMS Spam Collection.")
    var data: String?

    @Option(help: "Tokenizer directory (vocab.json + merges.txt or encoder.json + vocab.bpe). Default: the --model directory if given, else ../shared/data/gpt2-tokenizer.")
    var vocab: String?

    func validate() throws {
        guard GPT2Config.named[shape] != nil else {
            throw ValidationError("--shape must be one of \(GPT2Config.named.keys.sorted().joined(separator: ", "))")
        }
    }

    var config: GPT2Config { GPT2Config.named[shape]! }  // checked by validate()
    var dataFile: URL { get throws { try data.map { URL(fileURLWithPath: $0) } ?? CLI.defaultSMSFile() } }
    var tokenizerDirectory: URL { get throws { try vocab.map { URL(fileURLWithPath: $0) } ?? CLI.defaultTokenizerDirectory() } }
}

/// A real model directory or, by default, random weights of a shape: `bench infer` and `bench train`
/// (time does not depend on the weights' values).
struct BenchModelOptions: ParsableArguments {
    @Option(help: "Model directory (model.safetensors + config.json); default: random weights of --shape.")
    var model: String?

    @OptionGroup var random: RandomModelOptions

    /// What the summaries call the model.
    var name: String { model ?? "random \(random.shape)" }

    func loadWeights(seed: UInt64) throws -> GPT2Weights {
        if let model { return try GPT2Weights.load(directory: URL(fileURLWithPath: model)) }
        return try GPT2Weights.random(config: random.config, seed: seed)
    }

    /// --vocab, else the model directory, else ../shared's GPT-2 tokenizer.
    var tokenizerDirectory: URL {
        get throws {
            try random.vocab.map { URL(fileURLWithPath: $0) } ?? model.map { URL(fileURLWithPath: $0) }
                ?? CLI.defaultTokenizerDirectory(option: "--vocab DIR or --model DIR")
        }
    }
}
