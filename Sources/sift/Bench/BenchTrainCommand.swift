import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer

/// `sift bench train`: the reference's chapter-6 training run, timed.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time the reference's fine-tuning: gpt2 124M, last block, 5 epochs, 1045 SMS messages, batch 8.",
        discussion: """
            Without --model a randomly initialised model of --shape is used (time does not depend \
            on the weights' values). The 1045 training messages are the balanced SMS split \
            (seed 123). For each pooling it reports the prefix cache (the 11 frozen blocks over every \
            example, once), each epoch, the total, where a step's time goes, and peak RSS (the \
            process's, so it grows across runs). `padded` pads to 120 tokens, the reference's longest \
            training message. PyTorch takes about 20 minutes for this on 2 cores.
            """)

    @OptionGroup var model: BenchModelOptions

    @Option(help: "Pooling to time: both, last, padded (= padded:120) or padded:N.")
    var pooling: String = "both"

    @OptionGroup var training: TrainingOptions

    @Option(help: "Training messages to use (default: all 1045).")
    var limit: Int?

    @Flag(help: "Also evaluate the 300 test messages after training (accuracy; meaningful with pretrained weights or --trainable all).")
    var evaluate = false

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    static let referencePaddedLength = 120

    func poolings() -> [Pooling]? {
        switch pooling {
        case "both": [.last, .padded(maxLength: Self.referencePaddedLength)]
        case "padded": [.padded(maxLength: Self.referencePaddedLength)]
        default: Pooling(pooling).map { [$0] }
        }
    }

    func validate() throws {
        if poolings() == nil { throw ValidationError("--pooling must be both, last, padded or padded:N") }
        if training.epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        training.threads.apply()
        let seed = training.seed
        let loadStart = Date()
        let weights = try model.loadWeights(seed: seed)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let tokenizer = try BPETokenizer(directory: model.tokenizerDirectory)
        let sms = try SMSSpamCollection.read(model.random.dataFile)
        let split = DatasetSplit.split(DatasetSplit.balanced(sms, labels: .hamSpam, seed: seed), seed: seed)
        let train = Array(try LabelSet.hamSpam.tokenize(split.train, encode: tokenizer.encode).prefix(limit ?? .max))
        let test = evaluate ? try LabelSet.hamSpam.tokenize(split.test, encode: tokenizer.encode) : []

        var runs: [[String: Any]] = []
        for pooling in poolings()! {
            var config = training.config
            config.pooling = pooling
            let started = Date()
            let trainer = try Trainer(config: config, base: weights)
            let set = try trainer.prepare(train)
            var epochSeconds: [Double] = []
            let reports = try trainer.train(train: set) { event in
                guard case let .epoch(r) = event else { return }
                epochSeconds.append(r.seconds)
                if !json {
                    FileHandle.standardError.write(Data(String(format: "  %@ epoch %d: %.2f s, loss %.4f, train acc %.2f%%\n",
                                                               pooling.description, r.epoch, r.seconds, r.trainLoss, r.trainAccuracy * 100).utf8))
                }
            }
            let total = Date().timeIntervalSince(started)
            let t = trainer.timings
            var run: [String: Any] = [
                "pooling": pooling.description,
                "examples": set.count,
                "trainable_parameters": trainer.parameters.reduce(0) { $0 + $1.value.count },
                "tokens": set.totalTokens,
                "steps_per_epoch": reports.first?.steps ?? 0,
                "prefix_seconds": set.prefixSeconds,
                "epoch_seconds": epochSeconds,
                "train_seconds": epochSeconds.reduce(0, +),
                "total_seconds": total,
                "step_phase_seconds": ["load": t.load, "forward": t.forward, "backward": t.backward, "optimizer": t.optimizer],
                "final_train_loss": reports.last?.trainLoss ?? 0,
                "final_train_accuracy": reports.last?.trainAccuracy ?? 0,
                "peak_rss_mib": CLI.peakRSSMiB(),
            ]
            if evaluate { run["test_accuracy"] = trainer.evaluate(try trainer.prepare(test)).accuracy }
            runs.append(run)
        }

        let c = weights.config
        let summary: [String: Any] = [
            "model": model.name,
            "layers": c.layers, "channels": c.channels, "parameters": c.parameterCount,
            "trainable": training.trainable,
            "epochs": training.epochs, "batch_size": training.batchSize, "threads": training.threads.threads,
            "model_load_seconds": loadSeconds,
            "runs": runs,
            "peak_rss_mib": CLI.peakRSSMiB(),
        ]
        if json { try CLI.printJSONObject(summary); return }
        print("train benchmark: \(model.name) (\(c.layers) blocks, \(c.channels) wide), trainable \(training.trainable), "
              + "\(train.count) messages, batch \(training.batchSize), \(training.epochs) epochs, \(training.threads.threads) threads")
        for run in runs {
            let phases = run["step_phase_seconds"] as! [String: Double]
            print(String(format: "  pooling %@: %d tokens, prefix cache %.1f s, epochs %@ s, total %.1f s",
                         run["pooling"] as! String, run["tokens"] as! Int, run["prefix_seconds"] as! Double,
                         (run["epoch_seconds"] as! [Double]).map { String(format: "%.1f", $0) }.joined(separator: " / "),
                         run["total_seconds"] as! Double))
            print(String(format: "    steps: forward %.1f s, backward %.1f s, optimizer %.1f s, cache reads %.2f s; final train loss %.4f, acc %.2f%%; peak RSS %.0f MiB",
                         phases["forward"]!, phases["backward"]!, phases["optimizer"]!, phases["load"]!,
                         run["final_train_loss"] as! Double, (run["final_train_accuracy"] as! Double) * 100, run["peak_rss_mib"] as! Double))
            if let accuracy = run["test_accuracy"] as? Double { print(String(format: "    test accuracy %.2f%%", accuracy * 100)) }
        }
    }
}
