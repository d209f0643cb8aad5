import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer
import SiftJSON

/// `sift bench infer`: classification throughput and latency of the GPT-2 engine.
struct BenchInferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Inference speed over the SMS texts: one at a time, batched, a 40-token message, peak RSS, GFLOPS.",
        discussion: """
            Without --model a randomly initialised model of the real gpt2 (124M) shape is generated \
            (the speed does not depend on the weights' values). Texts come from the SMS Spam \
            Collection (default ../shared/data/sms-spam-collection/SMSSpamCollection).
            """)

    @OptionGroup var model: BenchModelOptions

    @OptionGroup var threads: ThreadsOption

    @OptionGroup var precision: PrecisionOption

    @Option(help: "Messages per batch in the batched run.")
    var batchSize: Int = 64

    @Option(help: "Texts used for each run (0 = all 5574; the one-at-a-time run takes minutes for all).")
    var limit: Int = 1000

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        if batchSize < 1 || limit < 0 { throw ValidationError("--batch-size must be ≥ 1, --limit ≥ 0") }
    }

    func run() throws {
        threads.apply(precision: precision.resolved)
        let loadStart = Date()
        let weights = try model.loadWeights(seed: 1)
        let config = weights.config
        let head = try Bench.randomHead(channels: config.channels)
        let chosen = precision.resolved
        let engine = try GPT2Model(weights: weights, precision: chosen,
                                   frozen: Classifier.frozenBlocks(layers: config.layers, trained: []))
        let classifier = Classifier(model: engine, head: head, pooling: .last)
        let loadSeconds = Date().timeIntervalSince(loadStart)  // reading, and packing the frozen blocks

        let tokenizer = try BPETokenizer(directory: model.tokenizerDirectory)
        var texts = try LabeledDataReader.read(model.random.dataFile).map(\.text)
        if limit > 0 { texts = Array(texts.prefix(limit)) }
        let ids = texts.map { Pooling.last.prepare(tokenizer.encode($0), contextLength: config.contextLength) }
        let tokens = ids.reduce(0) { $0 + $1.count }
        let flops = ids.reduce(0.0) { $0 + Self.forwardFLOPs(config: config, tokens: $1.count) }

        _ = classifier.classify(tokenIDs: Array(ids.prefix(batchSize)))  // warm-up: buffers, BLAS threads
        var start = Date()
        for one in ids { _ = classifier.classify(tokenIDs: [one]) }
        let singleSeconds = Date().timeIntervalSince(start)

        start = Date()
        var i = 0
        while i < ids.count {
            _ = classifier.classify(tokenIDs: Array(ids[i..<min(i + batchSize, ids.count)]))
            i += batchSize
        }
        let batchedSeconds = Date().timeIntervalSince(start)

        // A 40-token message: the median of 21 runs.
        let forty = Array((ids.max { $0.count < $1.count } ?? [464]).cycled(to: 40))
        var latencies = [Double]()
        for _ in 0..<21 {
            let t = Date()
            _ = classifier.classify(tokenIDs: [forty])
            latencies.append(Date().timeIntervalSince(t))
        }
        let latency40 = latencies.sorted()[latencies.count / 2]

        let figures: JSONValue = [
            "model": .string(model.name),
            "parameters": .int(Int64(config.parameterCount)),
            "precision": .string(chosen.rawValue),
            "isa": .string(CPUKernels.current.isa),
            "threads": .int(Int64(threads.threads)),
            "messages": .int(Int64(ids.count)),
            "tokens": .int(Int64(tokens)),
            "mean_tokens": .double(Double(tokens) / Double(max(ids.count, 1))),
            "load_seconds": .double(loadSeconds),
            "single_ms_per_message": .double(singleSeconds * 1000 / Double(ids.count)),
            "single_messages_per_second": .double(Double(ids.count) / singleSeconds),
            "batched_ms_per_message": .double(batchedSeconds * 1000 / Double(ids.count)),
            "batched_messages_per_second": .double(Double(ids.count) / batchedSeconds),
            "batch_size": .int(Int64(batchSize)),
            "latency_40_tokens_ms": .double(latency40 * 1000),
            "gflops_single": .double(flops / singleSeconds / 1e9),
            "gflops_batched": .double(flops / batchedSeconds / 1e9),
            "peak_rss_mib": .double(CLI.peakRSSMiB()),
        ]
        if json {
            CLI.printJSON(figures)
            return
        }
        func f(_ key: String, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", figures[key]?.numberValue ?? 0) }
        print("""
            inference: \(figures["model"]?.stringValue ?? ""), \(config.layers) layers × \(config.channels) wide, \(threads.threads) threads, \(chosen) on \(CPUKernels.current.isa)
              \(ids.count) SMS texts, \(tokens) tokens (mean \(f("mean_tokens"))), model ready in \(f("load_seconds", 2)) s
              one at a time: \(f("single_ms_per_message")) ms/message, \(f("single_messages_per_second")) messages/s, \(f("gflops_single")) GFLOPS
              batched (\(batchSize)): \(f("batched_ms_per_message")) ms/message, \(f("batched_messages_per_second")) messages/s, \(f("gflops_batched")) GFLOPS
              40-token message: \(f("latency_40_tokens_ms")) ms (median of 21)
              peak RSS: \(f("peak_rss_mib", 0)) MiB
            """)
    }

    /// Multiply-add FLOPs of a full forward pass over `tokens` tokens: 2 per weight per token in the
    /// blocks, plus causal attention (QKᵀ and AV over the visible prefix). The embedding lookup is free.
    static func forwardFLOPs(config: GPT2Config, tokens t: Int) -> Double {
        let c = Double(config.channels)
        let perToken = 2 * 12 * c * c * Double(config.layers)
        let attention = 2 * 2 * c * Double(t * (t + 1) / 2) * Double(config.layers)
        return perToken * Double(t) + attention
    }
}

extension Array {
    /// The elements repeated until there are `count` of them.
    fileprivate func cycled(to count: Int) -> [Element] {
        guard !isEmpty else { return [] }
        return (0..<count).map { self[$0 % self.count] }
    }
}
