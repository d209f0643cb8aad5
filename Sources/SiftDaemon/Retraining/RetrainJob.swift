import FineTune
import Foundation
import GPT2
import GPT2Tokenizer
import Logging
import SpamStore

/// One training run, as `siftd train` does it in its own process:
///
/// 1. the data: the store's current labels (training side of the hash holdout) plus a replay of
///    the seed dataset, balanced per class (``RetrainingMix``);
/// 2. warm start from the serving classifier (``ClassifierLocation``), or a cold start from the
///    base model when there is none;
/// 3. the frozen-prefix cache, then `retrain.epochs` epochs;
/// 4. the gate (``PromotionGate``) on two holdouts, the labels' and the seed's, scoring the
///    active model with the same prefix cache before training and the candidate after;
/// 5. the checkpoint written atomically to `models/<version>/`, then one store transaction that
///    registers it (active or rejected) and ends the run.
///
/// Nothing the daemon serves changes before step 5's commit, so a run killed at any point
/// leaves the store and the served model as they were.
public struct RetrainJob {
    public let config: DaemonConfig
    public let store: any SiftStore
    public let run: TrainingRunID
    public let logger: Logger

    public init(config: DaemonConfig, store: any SiftStore, run: TrainingRunID, logger: Logger) {
        self.config = config
        self.store = store
        self.run = run
        self.logger = logger
    }

    public struct Outcome: Sendable {
        public var version: String
        public var promoted: Bool
        public var decision: PromotionGate.Decision
        public var reasons: [String]
        public var seconds: Double
    }

    /// The version a run's model is registered under, and the name of its directory.
    public static func version(of run: TrainingRunID) -> String { "r\(run)" }

    public func execute() throws -> Outcome {
        let started = DispatchTime.now().uptimeNanoseconds
        let settings = config.retrain
        progress("loading the base model")
        let baseURL = try config.requireBaseModelDirectory()
        let tokenizer = try BPETokenizer(directory: baseURL)
        let weights = try GPT2Weights.load(directory: baseURL)
        let active = try ClassifierLocation.resolve(config, store: store)

        var labels = LabelSet.hamSpam
        var pooling = config.model.pooling.flatMap(Pooling.init) ?? .last
        if let active {
            let loaded = try ClassifierFile.load(active.file, base: weights)
            labels = LabelSet(names: loaded.head.labels)
            pooling = config.model.pooling.flatMap(Pooling.init) ?? loaded.pooling ?? .last
        }

        progress("reading labels")
        let stored = try store.labeledMessages(holdoutPercent: settings.holdoutPercent)
        let known = Set(labels.names)
        let skipped = stored.all.filter { !known.contains($0.label) }.count
        if skipped > 0 {
            logger.warning("retrain: skipping labels the classifier does not have", metadata: ["count": "\(skipped)", "labels": "\(labels.names)"])
        }
        let storedTraining = stored.training.filter { known.contains($0.label) }
        let labelHoldout = stored.holdout.filter { known.contains($0.label) }.map { LabeledExample(text: $0.text, label: $0.label) }
        let seed = try SeedData.read(settings.seedData, holdoutPercent: settings.holdoutPercent, labels: labels)
        if active == nil && seed.training.isEmpty && storedTraining.isEmpty {
            throw RetrainError.noClassifier(ClassifierLocation.configuredFile(config).path)
        }
        // Each run replays another sample of the seed (the seed and the number of labels pick it), so
        // over many runs all of it is seen again; the same inputs still give the same run.
        let mixSeed = UInt64(settings.seed) &* 1_000_003 &+ UInt64(stored.all.count)
        let sources = LabelSources(maxShare: settings.maxSharePerUID, trusted: settings.trustedUIDs)
        try sources.refuseSingleSource(stored.all.filter { known.contains($0.label) }, hasSeed: !seed.training.isEmpty)

        // A warm run starts from the active model and replays a sample of the seed sized to the
        // labels; a joint run (and a cold start) learns from the base model on all of it.
        let warm = active != nil && settings.strategy == .warm
        let replayLimit = warm ? max(settings.replayExamples, settings.replayPerLabel * storedTraining.count) : Int.max / 2
        let (mix, _, leftOut) = sources.capped(storedTraining) { kept in
            RetrainingMix.make(labels: kept.map { LabeledExample(text: $0.text, label: $0.label) }, replay: seed.training,
                               replayLimit: replayLimit, classes: labels, seed: mixSeed)
        }
        for (source, count) in leftOut.sorted(by: { $0.key < $1.key }) {
            logger.warning("retrain: leaving out the oldest labels of a source over its share (retrain.max_share_per_uid)",
                           metadata: ["source": "\(source)", "left_out": "\(count)", "share": "\(settings.maxSharePerUID)"])
        }
        guard mix.perClass.values.allSatisfy({ $0 > 0 }), !mix.examples.isEmpty else {
            let have = labels.names.map { name in "\(name) \(storedTraining.filter { $0.label == name }.count)" }
            throw RetrainError.notEnoughData("training needs examples of every label (\(labels.names.joined(separator: ", "))); "
                + "the store has \(have.joined(separator: ", ")) outside the holdout and the seed data adds \(seed.training.count)")
        }

        var training = TrainingConfig()
        training.labels = labels
        training.trainable = TrainableSet(settings.trainable) ?? .default
        training.pooling = pooling
        training.epochs = settings.epochs
        training.batchSize = settings.batchSize
        training.optimizer.learningRate = Float(settings.learningRate * (warm ? settings.warmLearningRateScale : 1))
        training.optimizer.startPull = warm ? Float(settings.startPull) : 0
        training.interpolation = warm ? Float(settings.interpolate) : 1
        training.seed = UInt64(settings.seed)
        training.threads = settings.threads
        // The prefix cache in the precision the daemon serves with: the gate scores a candidate
        // on the features it will be served on.
        training.precision = config.model.servedPrecision
        let trainer = try Trainer(config: training, base: weights, warmStart: warm ? active?.file : nil)
        // The active model, scored on the holdouts: the trainer itself before its first step on a
        // warm run, a trainer of its own otherwise.
        let scorer = try active.map { active in warm ? trainer : try Trainer(config: training, base: weights, warmStart: active.file) }
        logger.info("retrain: training", metadata: [
            "run": "\(run)", "from": "\(warm ? active?.version ?? "" : "the base model (\(active == nil ? "cold start" : "joint"))")",
            "examples": "\(mix.examples.count)", "labels": "\(mix.fromLabels)", "replay": "\(mix.fromReplay)",
            "holdout": "\(labelHoldout.count) labels + \(seed.holdout.count) seed",
        ])

        let holdoutExamples = ["labels": labelHoldout, "seed": seed.holdout].filter { !$0.value.isEmpty }
        let holdoutCount = labelHoldout.count + seed.holdout.count
        // Every example through the frozen prefix: training, holdouts, and the holdouts again for
        // a separate scorer. The longest silent stretch of a run otherwise, so it counts.
        let cacheTotal = mix.examples.count + holdoutCount * (scorer == nil || scorer === trainer ? 1 : 2)
        var cached = 0
        progress("prefix cache 0/\(cacheTotal) examples (\(mix.examples.count) training, \(holdoutCount) holdout)")
        var lastReport = DispatchTime.now().uptimeNanoseconds
        func reportEvery2s(_ line: @autoclosure () -> String) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - lastReport > 2_000_000_000 else { return }
            lastReport = now
            progress(line(), log: false)
        }
        func prepare(_ examples: [LabeledExample], on model: Trainer) throws -> PreparedExamples {
            let before = cached
            let prepared = try model.prepare(try labels.tokenize(examples, encode: tokenizer.encode)) { done, _ in
                cached = before + done
                reportEvery2s("prefix cache \(cached)/\(cacheTotal) examples")
            }
            cached = before + examples.count
            return prepared
        }
        var trainSet = try prepare(mix.examples, on: trainer)
        let holdouts = try holdoutExamples.mapValues { try prepare($0, on: trainer) }
        let scored = try scorer.map { scorer in
            scorer === trainer ? holdouts : try holdoutExamples.mapValues { try prepare($0, on: scorer) }
        }
        let before = scorer.map { scorer in scored!.mapValues { scorer.evaluate($0) } }
        let beforePredictions = scorer.map { scorer in scored!.mapValues { scorer.predictions($0) } }
        if warm, settings.distill > 0, let scorer {
            trainSet = trainSet.withTargets(Distillation.targets(
                labels: trainSet.labels, teacher: scorer.logits(trainSet), distilled: mix.replayed, weight: Float(settings.distill)))
        }

        progress("prefix cache done: \(cacheTotal) examples")
        try trainer.train(train: trainSet) { event in
            switch event {
            case let .step(epoch, step, of, _):
                reportEvery2s("epoch \(epoch)/\(settings.epochs), step \(step)/\(of)")
            case let .epoch(report):
                progress(String(format: "epoch %d/%d done: loss %.4f, accuracy %.2f%%", report.epoch, settings.epochs,
                                report.trainLoss, report.trainAccuracy * 100))
            }
        }
        trainer.interpolateFromStart(training.interpolation)
        progress("scoring the candidate")
        let after = holdouts.mapValues { trainer.evaluate($0) }
        let pairs = beforePredictions.map { before in
            Dictionary(uniqueKeysWithValues: holdouts.map { name, set in
                (name, PromotionGate.Holdout(actual: set.labels.map(Int.init), active: before[name]!, candidate: trainer.predictions(set)))
            })
        }
        let verdict = PromotionGate(settings: settings.gate).judge(pairs, labels: labels.names)

        let version = Self.version(of: run)
        let directory = URL(fileURLWithPath: config.modelsDirectory).appendingPathComponent(version)
        let report = RetrainReport(
            warmStart: active?.version, trainingExamples: mix.examples.count, fromLabels: mix.fromLabels, fromReplay: mix.fromReplay,
            candidate: after, active: before, promoted: verdict.promote, decision: verdict.decision, reasons: verdict.reasons,
            gate: verdict.holdouts, combined: verdict.combined, strategy: warm ? "warm" : (active == nil ? "cold" : "joint"),
            seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        progress("writing \(version)")
        // Hashing reads the whole base model (500 MB for the 124M one): once.
        let baseSHA256 = try Checkpoint.baseSHA256(directory: baseURL)
        let reportJSON = report.json
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            try trainer.writeCheckpoint(
                to: directory.appendingPathComponent(ClassifierLocation.fileName),
                metadata: [ClassifierFile.Key.baseSHA256: baseSHA256], metrics: after)
            let record = ModelRecord(version: version, path: directory.path, baseModelSHA256: baseSHA256, metricsJSON: reportJSON)
            _ = try store.completeTrainingRun(
                run, model: record, promote: verdict.promote,
                dataCounts: TrainingDataCounts(trainingExamples: mix.examples.count, holdoutExamples: labelHoldout.count + seed.holdout.count),
                metricsJSON: reportJSON)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        logger.info("retrain: \(verdict.promote ? "promoted" : verdict.decision == .reject ? "rejected" : "inconclusive")", metadata: [
            "run": "\(run)", "version": "\(version)", "reasons": "\(verdict.reasons.joined(separator: "; "))",
        ])
        return Outcome(version: version, promoted: verdict.promote, decision: verdict.decision, reasons: verdict.reasons,
                       seconds: report.seconds)
    }

    private func progress(_ line: String, log: Bool = true) {
        if log { logger.info("retrain: \(line)", metadata: ["run": "\(run)"]) }
        try? store.updateTrainingRun(run, progress: line)
    }
}

public enum RetrainError: Error, CustomStringConvertible, Equatable {
    case noClassifier(String)
    case notEnoughData(String)
    /// The run's labels may not be trained on (see ``LabelSources``).
    case refused(String)

    public var description: String {
        switch self {
        case let .noClassifier(path):
            "no classifier to start from: the registry has no active model, there is no file at \(path), "
                + "and there are no labels or seed data (retrain.seed_data) to train a first one from"
        case let .notEnoughData(why): "not enough data: \(why)"
        case let .refused(why): "refused: \(why)"
        }
    }
}
