import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer

/// `sift train`: classification fine-tuning from a base model directory and labeled data.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a GPT-2 classifier and write a checkpoint of the trained tensors.",
        discussion: """
            Data: --data DIR with train, validation and test files (.tsv or .jsonl, as `sift prepare-data` \
            writes them), or --train FILE with optional --validation FILE and --test FILE in any \
            format `sift prepare-data` reads. The tokenizer is read from the base directory \
            (vocab.json + merges.txt, or encoder.json + vocab.bpe).

            Defaults are the reference's: the last block, ln_f and the head train (--trainable \
            last-block); AdamW lr 5e-5, weight decay 0.1; batch 8; 5 epochs. The frozen blocks run \
            once per example before the first epoch (the prefix cache); each step then runs only \
            the trainable part. After training, train/validation/test are evaluated and the metrics \
            go into the checkpoint's metadata with the labels, pooling and base model's sha256.

            Example:
              sift train --base models/gpt2 --data data/sms --out models/candidate.safetensors
            """)

    @Option(help: "Base model directory (model.safetensors, config.json and tokenizer files).")
    var base: String

    @Option(help: "Directory with train, validation and test files (.tsv, or .jsonl for mail), as sift prepare-data writes.")
    var data: String?

    @Option(name: .customLong("train"), help: "Training data file (instead of --data).")
    var trainFile: String?

    @Option(name: .customLong("validation"), help: "Validation data file, evaluated after every epoch.")
    var validationFile: String?

    @Option(name: .customLong("test"), help: "Test data file, evaluated at the end.")
    var testFile: String?

    @Option(help: "Pooling: last (last real token), padded (right-pad to the longest training text, as the reference) or padded:N.")
    var pooling: String = "last"

    @Option(help: "Label names in head-row order, comma-separated (default: ham,spam when that is all there is, else sorted).")
    var labels: String?

    @OptionGroup var training: TrainingOptions

    @Option(help: "Start from this classifier checkpoint (same labels) instead of a new head.")
    var warmStart: String?

    @Option(help: "Where to write the checkpoint (.safetensors).")
    var out: String

    @Flag(help: "Print the final metrics as one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        if pooling != "padded" && Pooling(pooling) == nil { throw ValidationError("--pooling must be last, padded or padded:N") }
        if (data == nil) == (trainFile == nil) { throw ValidationError("give either --data DIR or --train FILE") }
        if data != nil && (validationFile != nil || testFile != nil) { throw ValidationError("--validation/--test go with --train, not --data") }
    }

    func run() throws {
        let baseURL = URL(fileURLWithPath: base)
        let given = labels.map { LabelSet(names: $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        let split = try TrainingData.load(data: data, train: trainFile, validation: validationFile, test: testFile, labels: given)
        let labelSet = given ?? LabelSet.inferred(from: split.train + split.validation + split.test)
        let tokenizer = try BPETokenizer(directory: baseURL)
        let weights = try GPT2Weights.load(directory: baseURL)
        let (train, validation, test) = try (labelSet.tokenize(split.train, encode: tokenizer.encode),
                                             labelSet.tokenize(split.validation, encode: tokenizer.encode),
                                             labelSet.tokenize(split.test, encode: tokenizer.encode))

        var config = training.config
        config.labels = labelSet
        config.pooling = pooling == "padded"
            ? .padded(maxLength: min(weights.config.contextLength, train.map(\.ids.count).max() ?? 1))
            : Pooling(pooling)!

        let trainer = try Trainer(config: config, base: weights, warmStart: warmStart.map { URL(fileURLWithPath: $0) })
        log("training \(config.trainable) of a \(weights.config.layers)-block, \(weights.config.channels)-wide GPT-2 on "
            + "\(train.count) examples (labels \(labelSet.names.joined(separator: ", ")), pooling \(config.pooling))")
        let trainSet = try Self.prepare(train, on: trainer, title: "prefix cache (train)")
        let validationSet = validation.isEmpty ? nil : try Self.prepare(validation, on: trainer, title: "prefix cache (validation)")
        log(String(format: "prefix cache: %.1f s for %d tokens", trainSet.prefixSeconds + (validationSet?.prefixSeconds ?? 0),
                   trainSet.totalTokens + (validationSet?.totalTokens ?? 0)))
        var steps: ProgressBar?
        try trainer.train(train: trainSet, validation: validationSet) { event in
            switch event {
            case let .step(epoch, step, of, _):
                if steps == nil { steps = ProgressBar("epoch \(epoch)/\(training.epochs)", total: of, unit: "steps") }
                steps?.update(step)
            case let .epoch(r):
                steps?.finish()
                steps = nil
                var line = String(format: "epoch %d/%d  loss %.4f  train acc %.2f%%", r.epoch, training.epochs, r.trainLoss, r.trainAccuracy * 100)
                if let v = r.validation { line += String(format: "  val loss %.4f  val acc %.2f%%", v.loss, v.accuracy * 100) }
                log(line + String(format: "  %.1f s", r.seconds))
            }
        }

        log("evaluating")
        var metrics = ["train": trainer.evaluate(trainSet)]
        if let validationSet { metrics["validation"] = trainer.evaluate(validationSet) }
        if !test.isEmpty { metrics["test"] = trainer.evaluate(try Self.prepare(test, on: trainer, title: "prefix cache (test)")) }
        let outURL = URL(fileURLWithPath: out)
        try trainer.writeCheckpoint(to: outURL, metadata: [ClassifierFile.Key.baseSHA256: try Checkpoint.baseSHA256(directory: baseURL)],
                                    metrics: metrics)
        if json {
            print(Evaluation.json(metrics))
        } else {
            for name in ["train", "validation", "test"] {
                guard let m = metrics[name] else { continue }
                print("\(name):\n\(m.summary)\n")
            }
            print("wrote \(outURL.path)")
        }
    }

    /// The frozen prefix over `examples`, the long silent part of training, with a progress bar.
    static func prepare(_ examples: [TokenizedExample], on trainer: Trainer, title: String) throws -> PreparedExamples {
        let bar = ProgressBar(title, total: examples.count, unit: "examples")
        defer { bar.finish() }
        return try trainer.prepare(examples) { done, _ in bar.update(done) }
    }

    /// Progress goes to stderr so `--json` output stays one clean object on stdout.
    func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Reading the train/validation/test files `sift train` and `sift eval` are given.
enum TrainingData {
    static func load(data: String?, train: String?, validation: String?, test: String?, labels: LabelSet?) throws -> DatasetSplit {
        if let data { return try DatasetSplit.read(from: URL(fileURLWithPath: data), labels: labels) }
        func read(_ path: String?) throws -> [LabeledExample] {
            try path.map { try LabeledDataReader.read(URL(fileURLWithPath: $0), labels: labels) } ?? []
        }
        return DatasetSplit(train: try read(train), validation: try read(validation), test: try read(test))
    }
}
