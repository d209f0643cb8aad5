import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer
import SiftDaemon
import SiftJSON
import SiftMail

/// `sift bench mail`: how fast raw mail becomes model text, and how well a small model trained
/// from random initialisation on that text tells spam from ham on later mail.
struct BenchMailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Mail: extraction rate, and the accuracy on later mail of a small model trained from scratch on earlier mail.",
        discussion: """
            The corpus is --corpus (default ../shared/data/spamassassin-public-corpus, or under \
            $SIFT_SHARED): its spam/ folder is spam, every other folder ham. Every message is read \
            into memory, then turned into model text (SiftMail, as siftd, `sift check`, `sift learn` \
            and `sift prepare-data` do) on one thread: the median of --repeats passes.

            The split is chronological: the last --test-percent of each label by file name (upstream \
            numbers messages as they arrived) is the test set; with the default 20, that is 100 spam \
            and 500 ham of the shared corpus, trained on the first 400 and 2000. A GPT-2 of \
            --layers × --channels (--heads, --context tokens) is initialised at random (--seed) and \
            trained whole (every weight) for --epochs with AdamW at --lr; the tokenizer is \
            ../shared's GPT-2 tokenizer or --vocab. Reported: spam recall and ham accuracy at the \
            spam threshold 0.5, and precision/recall at each threshold (as `sift eval` prints them).

            Then the trained model is served by a siftd inside this process (its checkpoint written \
            and loaded as siftd loads one), and every mail of the corpus is checked through the \
            SPAMC socket, one connection per mail, --connections at a time, against the engine \
            alone on the extracted texts at the same concurrency (as `sift bench spamc`, which \
            does the same with a random model); --no-spamc skips it.

            Goals (issue 16; PASS/MISS, a MISS does not change the exit status): extraction at least \
            2,000 messages/s; spam recall at least 97% with ham accuracy at least 99.5%; through \
            SPAMC at least 90% of the engine's messages/s.
            """)

    @Option(help: "Directory with folders of raw messages (spam/, easy_ham/, …).")
    var corpus: String?

    @Option(help: "Share of each label held out as the test set: the latest messages, in percent.")
    var testPercent: Int = 20

    @Option(help: "Extraction passes; the median is reported.")
    var repeats: Int = 3

    @Option(help: "Blocks of the random model.")
    var layers: Int = 2

    @Option(help: "Width of the random model.")
    var channels: Int = 64

    @Option(help: "Attention heads of the random model.")
    var heads: Int = 4

    @Option(help: "Context of the random model, in tokens: how much of each mail's model text it reads.")
    var context: Int = 512

    @Option(help: "Tokenizer directory (default: ../shared/data/gpt2-tokenizer).")
    var vocab: String?

    @Option(help: "Epochs over the training set.")
    var epochs: Int = 3

    @Option(help: "AdamW learning rate.")
    var lr: Float = 1e-3

    @Option(help: "Examples per batch.")
    var batchSize: Int = 8

    @Option(help: "Seed of the random model, the head and the shuffles.")
    var seed: UInt64 = 123

    @OptionGroup var threads: ThreadsOption

    @Option(help: "Concurrent SPAMC connections (and concurrent engine requests) when measuring SPAMC.")
    var connections: Int = 8

    @Flag(help: "Skip serving the trained model and measuring SPAMC against the engine.")
    var noSpamc = false

    @Flag(help: "Print one JSON object instead of a summary (progress goes to stderr).")
    var json = false

    func validate() throws {
        if !(1...90).contains(testPercent) { throw ValidationError("--test-percent must be 1 to 90") }
        if repeats < 1 || epochs < 1 || batchSize < 1 || connections < 1 {
            throw ValidationError("--repeats, --epochs, --batch-size and --connections must be at least 1")
        }
    }

    func run() async throws {
        threads.apply()
        let corpus = try MailCorpus(directory: corpus.map { URL(fileURLWithPath: $0) } ?? MailCorpus.defaultDirectory())
        let extraction = BenchMailExtractCommand.extractionSeconds(corpus.messages.map(\.bytes), budget: MailText.defaultBudget, repeats: repeats)
        let extractionRate = Double(corpus.messages.count) / extraction.seconds
        log(String(format: "extraction: %d messages in %.0f ms (%.0f messages/s)", corpus.messages.count, extraction.seconds * 1000, extractionRate))

        let (trainMail, testMail) = corpus.chronologicalSplit(testPercent: testPercent)
        let tokenizer = try BPETokenizer(directory: vocab.map { URL(fileURLWithPath: $0) } ?? CLI.defaultTokenizerDirectory())
        func examples(_ mail: [MailCorpus.Message]) throws -> [TokenizedExample] {
            // A message without text (none here) is still a message: it is trained on as empty.
            let labeled = mail.map { LabeledExample(text: (try? MailText.modelText(of: $0.bytes)) ?? "", label: $0.isSpam ? "spam" : "ham") }
            return try LabelSet.hamSpam.tokenize(labeled, encode: tokenizer.encode)
        }
        let (train, test) = (try examples(trainMail), try examples(testMail))

        var modelConfig = GPT2Config(contextLength: context, channels: channels, layers: layers, heads: heads)
        modelConfig.vocabSize = tokenizer.vocabularySize
        try modelConfig.validate()
        var config = TrainingConfig()
        config.labels = .hamSpam
        config.pooling = .last
        config.trainable = TrainableSet("all")!
        config.epochs = epochs
        config.batchSize = batchSize
        config.optimizer = AdamWConfig(learningRate: lr, weightDecay: 0.1)
        config.seed = seed
        config.threads = threads.threads
        let started = Date()
        let base = try GPT2Weights.random(config: modelConfig, seed: seed)
        let trainer = try Trainer(config: config, base: base)
        let trainSet = try trainer.prepare(train)
        log("training a \(layers)-block, \(channels)-wide random GPT-2 (context \(context)) on \(train.count) mails: "
            + "\(trainMail.count { $0.isSpam }) spam, \(trainMail.count { !$0.isSpam }) ham")
        try trainer.train(train: trainSet) { event in
            guard case let .epoch(r) = event else { return }
            log(String(format: "epoch %d/%d  loss %.4f  train acc %.2f%%  %.1f s", r.epoch, epochs, r.trainLoss, r.trainAccuracy * 100, r.seconds))
        }
        let trainSeconds = Date().timeIntervalSince(started)
        let scores = zip(trainer.logits(try trainer.prepare(test)), test).map { logits, example in
            (spamProbability: Double(ClassifierHead.probabilities(logits[...])[1]), isSpam: example.label == 1)
        }
        let curve = ThresholdCurve(scores: scores, thresholds: ThresholdCurve.standardThresholds)
        let atHalf = curve.points.first { $0.threshold == 0.5 }!
        let recall = atHalf.recall ?? 0
        let hamAccuracy = 1 - (atHalf.falsePositiveRate ?? 0)

        var spamc: SpamcThroughput?
        if !noSpamc {
            log("serving the trained model; checking \(corpus.messages.count) mails through SPAMC and through the engine alone")
            let model = try Self.servingModel(trainer: trainer, base: base, tokenizer: tokenizer)
            spamc = try await SpamcThroughput.measure(
                model: model, mails: corpus.messages.map(\.bytes), connections: connections, batchSize: 32, threads: threads.threads)
        }

        var goals: [(name: String, met: Bool)] = [
            ("extraction at least 2,000 messages/s", extractionRate >= 2000),
            ("spam recall at least 97% at 0.5", recall >= 0.97),
            ("ham accuracy at least 99.5% at 0.5", hamAccuracy >= 0.995),
        ]
        if let spamc { goals.append(("SPAMC at least 90% of the engine's messages/s", spamc.ratio >= SpamcThroughput.goal)) }
        if json {
            CLI.printJSON([
                "messages": .int(Int64(corpus.messages.count)), "bytes": .int(Int64(corpus.byteCount)),
                "extraction_messages_per_second": .double(extractionRate), "extraction_failures": .int(Int64(extraction.failures)),
                "train_spam": .int(Int64(trainMail.count { $0.isSpam })), "train_ham": .int(Int64(trainMail.count { !$0.isSpam })),
                "test_spam": .int(Int64(curve.spam)), "test_ham": .int(Int64(curve.ham)),
                "model": ["layers": .int(Int64(layers)), "channels": .int(Int64(channels)), "heads": .int(Int64(heads)), "context": .int(Int64(context))],
                "epochs": .int(Int64(epochs)), "learning_rate": .double(Double(lr)), "seed": .int(Int64(seed)),
                "train_seconds": .double(trainSeconds),
                "spam_recall": .double(recall), "ham_accuracy": .double(hamAccuracy),
                "thresholds": try JSONValue(encoding: curve),
                "spamc": spamc?.json ?? .null,
                "goals_met": .bool(goals.allSatisfy(\.met)),
            ])
        } else {
            print("""
                mail: \(corpus.messages.count) messages (\(corpus.byteCount) bytes) from \(corpus.directory.path)
                  extraction: \(String(format: "%.0f", extractionRate)) messages/s on one thread (median of \(repeats) passes), \
                \(extraction.failures) without text
                  trained on the earliest \(100 - testPercent)% of each label (\(trainMail.count { $0.isSpam }) spam, \
                \(trainMail.count { !$0.isSpam }) ham), tested on the latest \(testPercent)% (\(curve.spam) spam, \(curve.ham) ham)
                  a random \(layers)-block, \(channels)-wide GPT-2, context \(context), all weights, \(epochs) epochs at lr \(lr): \
                \(String(format: "%.0f", trainSeconds)) s
                  at 0.5: spam recall \(String(format: "%.2f%%", recall * 100)) (\(atHalf.spamCaught)/\(curve.spam)), \
                ham accuracy \(String(format: "%.2f%%", hamAccuracy * 100)) (\(curve.ham - atHalf.hamCalledSpam)/\(curve.ham))

                \(curve.table)

                """)
            if let spamc { print("  the trained model served, every mail of the corpus checked:\n" + spamc.summary + "\n") }
            for goal in goals { print("  \(goal.met ? "PASS" : "MISS")  \(goal.name)") }
        }
    }

    /// The trained model as siftd serves one: the base and the checkpoint written to disk, then
    /// loaded as a base directory and a classifier file (so this also checks that path).
    private static func servingModel(trainer: Trainer, base: GPT2Weights, tokenizer: BPETokenizer) throws -> ServingModel {
        let directory = URL(fileURLWithPath: try Bench.makeTemporaryDirectory(prefix: "sift-bench-mail"))
        defer { try? FileManager.default.removeItem(at: directory) }
        try base.write(directory: directory)
        let checkpoint = directory.appendingPathComponent("classifier.safetensors")
        try trainer.writeCheckpoint(to: checkpoint)
        let classifier = try Classifier(baseDirectory: directory, classifierFile: checkpoint, pooling: nil)
        return ServingModel(version: "bench-mail", classifier: classifier, tokenizer: tokenizer)
    }

    private func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
