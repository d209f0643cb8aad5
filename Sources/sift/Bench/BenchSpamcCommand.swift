import ArgumentParser
import Foundation
import GPT2
import GPT2Tokenizer
import SiftDaemon

/// `sift bench spamc`: messages/s through the SPAMC socket against the engine alone.
struct BenchSpamcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spamc",
        abstract: "Messages/s classified through the SPAMC socket (raw mail, concurrent connections) vs. the engine alone.",
        discussion: """
            Starts siftd inside this process with a SPAMC socket, serving a small randomly \
            initialised GPT-2 (--layers, --channels, --heads, --context; the quick start's \
            shape by default; speed does not depend on the weights' values). The mails are every \
            message under --corpus (default ../shared/data/spamassassin-public-corpus). The \
            engine alone classifies their model texts (extracted beforehand) through the \
            batcher, --connections at a time; then --connections clients send each raw mail as \
            a CHECK on a connection of its own, as spamc does. The goal (issue 16) is SPAMC at \
            ≥ 90% of the engine's messages/s.
            """)

    @Option(help: "Directory of raw messages (searched recursively).")
    var corpus: String?

    @Option(help: "Concurrent connections (and concurrent engine requests).")
    var connections = 8

    @Option(help: "The daemon's batching.max_batch_size.")
    var batchSize = 32

    @Option(help: "Transformer blocks of the random model.")
    var layers = 2

    @Option(help: "Channels of the random model.")
    var channels = 64

    @Option(help: "Attention heads of the random model.")
    var heads = 4

    @Option(help: "Context length of the random model, in tokens.")
    var context = 128

    @Option(help: "Tokenizer directory (vocab.json + merges.txt or encoder.json + vocab.bpe). Default: ../shared/data/gpt2-tokenizer.")
    var vocab: String?

    @OptionGroup var threads: ThreadsOption

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard connections >= 1, batchSize >= 1 else { throw ValidationError("--connections and --batch-size must be at least 1") }
    }

    func run() async throws {
        threads.apply()
        let corpus = try MailCorpus(directory: corpus.map { URL(fileURLWithPath: $0) } ?? MailCorpus.defaultDirectory())
        let mails = corpus.messages.map(\.bytes)
        let model = try makeModel()
        let figures = try await SpamcThroughput.measure(
            model: model, mails: mails, connections: connections, batchSize: batchSize, threads: threads.threads)
        if json {
            CLI.printJSON(figures.json)
        } else {
            print("spamc: mails from \(corpus.directory.path)\n" + figures.summary)
        }
    }

    private func makeModel() throws -> ServingModel {
        var config = GPT2Config(channels: channels, layers: layers, heads: heads)
        config.contextLength = context
        try config.validate()
        let weights = try GPT2Weights.random(config: config, seed: 1)
        let head = try Bench.randomHead(channels: channels)
        let classifier = Classifier(model: GPT2Model(weights: weights), head: head, pooling: .last)
        let tokenizer = try BPETokenizer(directory: vocab.map { URL(fileURLWithPath: $0) } ?? CLI.defaultTokenizerDirectory())
        return ServingModel(version: "random \(layers)x\(channels), context \(context)", classifier: classifier, tokenizer: tokenizer)
    }
}
