import ArgumentParser
import Foundation
import GPT2

/// `sift init-model`: a randomly initialised GPT-2 model directory.
struct InitModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-model",
        abstract: "Write a randomly initialised GPT-2 (named or custom shape) as a model directory.",
        discussion: """
            For when no pretrained weights are available: the directory has model.safetensors in \
            the official key layout (wte, wpe, h.N.*, ln_f), config.json, and with --tokenizer the \
            tokenizer files, so `sift train --base DIR` can use it. Weights are initialised as \
            transformers does: normal(0, 0.02), residual projections scaled by 1/√(2·layers), \
            zero biases, unit LayerNorms.

            Examples:
              sift init-model --shape gpt2 --tokenizer ../shared/data/gpt2-tokenizer --out models/gpt2-random
              sift init-model --layers 2 --channels 64 --heads 4 --context 128 --tokenizer ../shared/data/gpt2-tokenizer --out models/tiny
            """)

    @Option(help: "A published shape: gpt2, gpt2-medium, gpt2-large or gpt2-xl. The options below override its fields.")
    var shape: String?

    @Option(help: "Transformer blocks.")
    var layers: Int?

    @Option(help: "Width of the residual stream (n_embd).")
    var channels: Int?

    @Option(help: "Attention heads (must divide --channels).")
    var heads: Int?

    @Option(help: "Context length (learned positions).")
    var context: Int?

    @Option(help: "Vocabulary size (50257 for GPT-2's tokenizer).")
    var vocab: Int?

    @Option(help: "Seed of the random initialisation.")
    var seed: UInt64 = 1

    @Option(help: "Directory with vocab.json + merges.txt or encoder.json + vocab.bpe to copy in.")
    var tokenizer: String?

    @Option(help: "Output directory (created if needed).")
    var out: String

    func validate() throws {
        if let shape, GPT2Config.named[shape] == nil {
            throw ValidationError("--shape must be one of \(GPT2Config.named.keys.sorted().joined(separator: ", "))")
        }
        if shape == nil && (layers == nil || channels == nil || heads == nil) {
            throw ValidationError("give --shape, or --layers, --channels and --heads (plus optional --context, --vocab)")
        }
    }

    func run() throws {
        var config = shape.flatMap { GPT2Config.named[$0] } ?? GPT2Config(channels: channels ?? 0, layers: layers ?? 0, heads: heads ?? 0)
        if let layers { config.layers = layers }
        if let channels { config.channels = channels }
        if let heads { config.heads = heads }
        if let context { config.contextLength = context }
        if let vocab { config.vocabSize = vocab }
        try config.validate()
        let dir = URL(fileURLWithPath: out)
        try GPT2Weights.random(config: config, seed: seed).write(directory: dir)
        if let tokenizer {
            let source = URL(fileURLWithPath: tokenizer)
            let pairs = [("vocab.json", "merges.txt"), ("encoder.json", "vocab.bpe")]
            guard let (vocabFile, mergesFile) = pairs.first(where: { pair in
                [pair.0, pair.1].allSatisfy { FileManager.default.fileExists(atPath: source.appendingPathComponent($0).path) }
            }) else {
                throw CLIError("\(source.path) has neither vocab.json + merges.txt nor encoder.json + vocab.bpe")
            }
            for name in [vocabFile, mergesFile] {
                let target = dir.appendingPathComponent(name)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target)
                // The copy is the model directory's own file: writable, whatever the source's mode.
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
            }
        }
        print("wrote \(dir.path): \(config.layers) blocks, \(config.channels) wide, \(config.heads) heads, context \(config.contextLength), "
              + "vocabulary \(config.vocabSize), \(config.parameterCount) parameters")
    }
}
