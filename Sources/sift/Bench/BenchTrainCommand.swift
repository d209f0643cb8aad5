import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer
import SiftJSON

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

        var runs: [JSONValue] = []
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
            var run: [(key: String, value: JSONValue)] = [
                ("pooling", .string(pooling.description)),
                ("examples", .int(Int64(set.count))),
                ("trainable_parameters", .int(Int64(trainer.parameters.reduce(0) { $0 + $1.value.count }))),
                ("tokens", .int(Int64(set.totalTokens))),
                ("steps_per_epoch", .int(Int64(reports.first?.steps ?? 0))),
                ("prefix_seconds", .double(set.prefixSeconds)),
                ("epoch_seconds", .array(epochSeconds.map(JSONValue.double))),
                ("train_seconds", .double(epochSeconds.reduce(0, +))),
                ("total_seconds", .double(total)),
                ("step_phase_seconds", [
                    "load": .double(t.load), "forward": .double(t.forward), "backward": .double(t.backward),
                    "optimizer": .double(t.optimizer),
                ]),
                ("final_train_loss", .double(reports.last?.trainLoss ?? 0)),
                ("final_train_accuracy", .double(reports.last?.trainAccuracy ?? 0)),
                ("peak_rss_mib", .double(CLI.peakRSSMiB())),
            ]
            if evaluate { run.append(("test_accuracy", .double(trainer.evaluate(try trainer.prepare(test)).accuracy))) }
            runs.append(.object(run))
        }

        let c = weights.config
        let summary: JSONValue = [
            "model": .string(model.name),
            "layers": .int(Int64(c.layers)), "channels": .int(Int64(c.channels)), "parameters": .int(Int64(c.parameterCount)),
            "trainable": .string(training.trainable),
            "epochs": .int(Int64(training.epochs)), "batch_size": .int(Int64(training.batchSize)), "threads": .int(Int64(training.threads.threads)),
            "model_load_seconds": .double(loadSeconds),
            "runs": .array(runs),
            "peak_rss_mib": .double(CLI.peakRSSMiB()),
        ]
        if json { CLI.printJSON(summary); return }
        print("train benchmark: \(model.name) (\(c.layers) blocks, \(c.channels) wide), trainable \(training.trainable), "
              + "\(train.count) messages, batch \(training.batchSize), \(training.epochs) epochs, \(training.threads.threads) threads")
        for run in runs {
            func figure(_ key: String) -> Double { run[key]?.numberValue ?? 0 }
            func phase(_ key: String) -> Double { run["step_phase_seconds"]?[key]?.numberValue ?? 0 }
            print(String(format: "  pooling %@: %d tokens, prefix cache %.1f s, epochs %@ s, total %.1f s",
                         run["pooling"]?.stringValue ?? "", Int(figure("tokens")), figure("prefix_seconds"),
                         (run["epoch_seconds"]?.arrayValue ?? []).map { String(format: "%.1f", $0.numberValue ?? 0) }.joined(separator: " / "),
                         figure("total_seconds")))
            print(String(format: "    steps: forward %.1f s, backward %.1f s, optimizer %.1f s, cache reads %.2f s; final train loss %.4f, acc %.2f%%; peak RSS %.0f MiB",
                         phase("forward"), phase("backward"), phase("optimizer"), phase("load"),
                         figure("final_train_loss"), figure("final_train_accuracy") * 100, figure("peak_rss_mib")))
            if let accuracy = run["test_accuracy"]?.numberValue { print(String(format: "    test accuracy %.2f%%", accuracy * 100)) }
        }
    }
}
