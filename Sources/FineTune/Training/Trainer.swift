import Foundation
import GPT2

/// Classification fine-tuning of a GPT-2: the reference's chapter-6 training loop.
///
///     let trainer = try Trainer(config: config, base: try GPT2Weights.load(directory: dir))
///     let train = try trainer.prepare(trainExamples)      // runs the frozen prefix once
///     try trainer.train(train: train, validation: try trainer.prepare(validationExamples)) { print($0) }
///     let metrics = ["test": trainer.evaluate(try trainer.prepare(testExamples))]
///     try trainer.writeCheckpoint(to: url, metadata: [ClassifierFile.Key.baseSHA256: try Checkpoint.baseSHA256(directory: dir)],
///                                 metrics: metrics)
///
/// Not thread-safe: one trainer runs one thing at a time.
public final class Trainer: @unchecked Sendable {
    public let config: TrainingConfig
    /// The frozen network (base model plus any warm-start tensors), which computes the prefix cache.
    let frozen: GPT2Model
    let tail: TailModel
    public private(set) var optimizer: AdamW
    private var shuffler: SeededRandom
    /// Tensors a warm start replaced that this run does not train: the checkpoint carries them
    /// on, so base + new checkpoint is still the model that was trained.
    private let carried: [(name: String, tensor: Tensor)]
    public private(set) var epochsDone = 0
    public private(set) var history: [EpochReport] = []
    /// Where the time of the steps so far went.
    public private(set) var timings = PhaseTimings()

    /// - Parameters:
    ///   - head: the head to start from; nil means a new one (PyTorch's `nn.Linear` initialisation, seeded).
    ///   - warmStart: a classifier checkpoint whose tensors and head replace the base's and `head`.
    public init(config: TrainingConfig, base: GPT2Weights, head: ClassifierHead? = nil, warmStart: URL? = nil) throws {
        try config.validate()
        self.config = config
        if let threads = config.threads { BLAS.setThreads(threads) }
        var weights = base
        var startHead = head
        var carried: [(String, Tensor)] = []
        var warmTrainedBlocks: [Int] = []
        if let warmStart {
            let loaded = try ClassifierFile.load(warmStart, base: base)
            guard loaded.head.labels == config.labels.names else {
                throw TrainingError.incompatibleCheckpoint("\(warmStart.path) has labels \(loaded.head.labels), this run \(config.labels.names)")
            }
            weights = loaded.weights
            startHead = loaded.head
            warmTrainedBlocks = loaded.trainedBlocks
            let trained = Set(config.trainable.tensorNames(config: base.config))
            let file = try SafeTensorsFile(url: warmStart)
            carried = weights.namedTensors.filter { file.entry($0.name) != nil && !trained.contains($0.name) }
        }
        if let h = startHead, h.labels != config.labels.names || h.channels != base.config.channels {
            throw TrainingError.incompatibleCheckpoint("the head has labels \(h.labels) and width \(h.channels); this run needs \(config.labels.names) and \(base.config.channels)")
        }
        self.carried = carried
        // The blocks serving packs for a checkpoint of this run: not those it trains, nor those a
        // warm start carries over (the checkpoint holds them), nor the last one.
        let layers = weights.config.layers
        let trained = Array(config.trainable.firstTrainableBlock(layers: layers)..<layers) + warmTrainedBlocks
        frozen = try GPT2Model(weights: weights, precision: config.precision,
                               frozen: Classifier.frozenBlocks(layers: layers, trained: trained))
        frozen.setPackedThreads(config.threads)
        tail = TailModel(base: weights, head: startHead ?? Self.newHead(config: config, channels: base.config.channels),
                         trainable: config.trainable)
        optimizer = AdamW(config: config.optimizer)
        if config.optimizer.startPull > 0 || config.interpolation < 1 {
            for p in tail.parameters { p.anchorAtCurrentValue() }
        }
        optimizer.threads = config.threads ?? BLAS.threads
        shuffler = SeededRandom(seed: config.seed)
    }

    /// U(-1/√C, 1/√C) for weight and bias, as `torch.nn.Linear` initialises itself.
    static func newHead(config: TrainingConfig, channels c: Int) -> ClassifierHead {
        var rng = SeededRandom(seed: config.seed ^ 0x5EED_4EAD)
        let bound = 1 / Float(c).squareRoot()
        let k = config.labels.count
        let w = Tensor(shape: [k, c], values: (0..<(k * c)).map { _ in (rng.nextUnit() * 2 - 1) * bound })
        let b = Tensor(shape: [k], values: (0..<k).map { _ in (rng.nextUnit() * 2 - 1) * bound })
        return try! ClassifierHead(weight: w, bias: b, labels: config.labels.names)  // shapes and labels valid by construction
    }

    public var modelConfig: GPT2Config { frozen.config }

    /// The trainable tensors with their gradients, in checkpoint order.
    public var parameters: [Parameter] { tail.parameters }

    /// Pooling, truncation and the frozen prefix for `examples` (the expensive part, done once).
    /// Token ids must be in the model's vocabulary and labels rows of `config.labels`.
    /// `progress(done, total)` counts examples through the frozen prefix.
    public func prepare(_ examples: [TokenizedExample],
                        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> PreparedExamples {
        let (vocabulary, k) = (frozen.config.vocabSize, config.labels.count)
        for (i, e) in examples.enumerated() {
            if let bad = e.ids.first(where: { $0 < 0 || $0 >= vocabulary }) {
                throw TrainingError.invalidExample("example \(i) has token id \(bad), outside the model's vocabulary of \(vocabulary) (wrong tokenizer?)")
            }
            if !(0..<k).contains(e.label) {
                throw TrainingError.invalidExample("example \(i) has label row \(e.label); the labels are \(config.labels.names)")
            }
        }
        if case .padded = config.pooling, Pooling.padTokenID >= vocabulary {
            throw TrainingError.invalidConfig("padded pooling pads with token \(Pooling.padTokenID), outside the vocabulary of \(vocabulary)")
        }
        return PreparedExamples.make(examples, pooling: config.pooling, frozen: frozen, trainable: config.trainable, progress: progress)
    }

    // MARK: - Steps

    /// Forward and backward of one batch: adds `scale` · the gradient of its summed loss / B to
    /// every parameter's gradient (scale 1 for a plain step). Returns the batch's mean loss and
    /// how many it classified correctly.
    @discardableResult
    public func accumulateGradients(_ set: PreparedExamples, indices: [Int], scale: Float = 1) -> (loss: Float, correct: Int) {
        var clock = PhaseTimings.now()
        let (_, labels) = set.load(indices, into: tail)
        let targets = set.targets(indices, k: config.labels.count)
        timings.load += PhaseTimings.lap(&clock)
        let loss = tail.forward(labels: labels, targets: targets, training: true)
        let correct = labels.indices.filter { argmax(tail.logitsRow($0)) == Int(labels[$0]) }.count
        timings.forward += PhaseTimings.lap(&clock)
        tail.backward(scale: scale / Float(indices.count))
        timings.backward += PhaseTimings.lap(&clock)
        return (loss, correct)
    }

    /// One AdamW update from the accumulated gradients, which are then zeroed.
    public func applyGradients() {
        var clock = PhaseTimings.now()
        optimizer.update(tail.parameters)  // also zeroes the gradients
        timings.optimizer += PhaseTimings.lap(&clock)
    }

    // MARK: - Training

    /// `config.epochs` epochs of seeded shuffles over `train`, evaluating `validation` after each.
    @discardableResult
    public func train(train: PreparedExamples, validation: PreparedExamples? = nil,
                      progress: (TrainingProgress) -> Void = { _ in }) throws -> [EpochReport] {
        guard train.count > 0 else { throw TrainingError.noExamples("no training examples") }
        var reports: [EpochReport] = []
        for _ in 0..<config.epochs {
            let started = DispatchTime.now().uptimeNanoseconds
            let batches = epochBatches(count: train.count)
            let groups = stride(from: 0, to: batches.count, by: config.accumulationSteps).map {
                Array(batches[$0..<min(batches.count, $0 + config.accumulationSteps)])
            }
            var lossSum = 0.0, correct = 0, seen = 0
            for (stepIndex, group) in groups.enumerated() {
                var groupLoss = 0.0
                for batch in group {
                    let result = accumulateGradients(train, indices: batch, scale: 1 / Float(group.count))
                    groupLoss += Double(result.loss)
                    correct += result.correct
                    seen += batch.count
                }
                applyGradients()
                lossSum += groupLoss
                progress(.step(epoch: epochsDone + 1, step: stepIndex + 1, of: groups.count, loss: groupLoss / Double(group.count)))
            }
            epochsDone += 1
            let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let report = EpochReport(epoch: epochsDone, trainLoss: lossSum / Double(max(1, batches.count)),
                                     trainAccuracy: seen == 0 ? 0 : Double(correct) / Double(seen), steps: groups.count,
                                     seconds: trainSeconds, validation: validation.map { evaluate($0) })
            reports.append(report)
            history.append(report)
            progress(.epoch(report))
        }
        return reports
    }

    /// WiSE-FT (Wortsman et al., 2022): every trained tensor becomes p₀ + α·(p - p₀), the point a
    /// fraction α of the way from where training started to where it ended. α = 1 keeps the
    /// trained weights; a warm start uses less to keep more of what the model it started from knew.
    public func interpolateFromStart(_ alpha: Float) {
        guard alpha != 1 else { return }
        for p in tail.parameters {
            guard let anchor = p.anchor else { preconditionFailure("interpolation needs the start kept (TrainingConfig.interpolation < 1)") }
            let (x, a) = (p.value.pointer, anchor.pointer)
            for i in 0..<p.count { x[i] = a[i] + alpha * (x[i] - a[i]) }
        }
    }

    /// This epoch's batches of example indices: a seeded shuffle cut into `batchSize` pieces,
    /// dropping a last partial one when configured and there is a full one.
    func epochBatches(count: Int) -> [[Int]] {
        var order = Array(0..<count)
        DatasetSplit.shuffle(&order, &shuffler)
        var batches = stride(from: 0, to: count, by: config.batchSize).map { Array(order[$0..<min(count, $0 + config.batchSize)]) }
        if config.dropLastBatch, batches.count > 1, let last = batches.last, last.count < config.batchSize {
            batches.removeLast()
        }
        return batches
    }

    // MARK: - Inference with the trained weights

    /// Loss, accuracy, precision/recall/F1 and the confusion matrix of the current weights.
    public func evaluate(_ set: PreparedExamples, batchSize: Int = 32) -> Evaluation {
        var confusion = ConfusionMatrix(labels: config.labels.names)
        var lossSum = 0.0
        forEachBatch(set, batchSize: batchSize) { indices, loss in
            lossSum += Double(loss) * Double(indices.count)
            for (i, e) in indices.enumerated() {
                confusion.add(actual: Int(set.labels[e]), predicted: argmax(tail.logitsRow(i)))
            }
        }
        return Evaluation(confusion: confusion, loss: set.count == 0 ? 0 : lossSum / Double(set.count))
    }

    /// The predicted label row of every example, in order.
    public func predictions(_ set: PreparedExamples, batchSize: Int = 32) -> [Int] {
        logits(set, batchSize: batchSize).map(argmax)
    }

    /// Logits [K] of every example, in order.
    public func logits(_ set: PreparedExamples, batchSize: Int = 32) -> [[Float]] {
        var out: [[Float]] = []
        forEachBatch(set, batchSize: batchSize) { indices, _ in
            for i in indices.indices { out.append(tail.logitsRow(i)) }
        }
        return out
    }

    private func forEachBatch(_ set: PreparedExamples, batchSize: Int, _ body: ([Int], Float) -> Void) {
        for start in stride(from: 0, to: set.count, by: batchSize) {
            let indices = Array(start..<min(set.count, start + batchSize))
            var clock = PhaseTimings.now()
            let (_, labels) = set.load(indices, into: tail)
            let loss = tail.forward(labels: labels)
            timings.evaluation += PhaseTimings.lap(&clock)
            body(indices, loss)
        }
    }

    // MARK: - Results

    /// The current head (trained weights, label names).
    public var head: ClassifierHead {
        try! ClassifierHead(weight: tail.headWeight, bias: tail.headBias, labels: config.labels.names)  // valid by construction
    }

    /// Tensors a checkpoint holds: the trained ones under their official names, plus any frozen
    /// tensors a warm start had replaced.
    public var checkpointTensors: [(name: String, tensor: Tensor)] {
        carried + tail.parameters.map { ($0.name, $0.value) }
    }

    /// Writes the checkpoint (see `Checkpoint`), atomically. `metadata` adds to or overrides what
    /// the trainer records; pass `ClassifierFile.Key.baseSHA256` (see `Checkpoint.baseSHA256`).
    public func writeCheckpoint(to url: URL, metadata: [String: String] = [:], metrics: [String: Evaluation] = [:]) throws {
        var meta = Checkpoint.metadata(config: config, epochs: epochsDone, metrics: metrics)
        meta[Checkpoint.Key.precision] = frozen.precision.rawValue
        meta.merge(metadata) { _, new in new }
        let tensors = checkpointTensors
        if let name = FiniteWeights.firstNonFinite(tensors) {
            throw GPT2Error.invalidInput("training left NaN or infinite values in \(name); \(url.path) was not written")
        }
        try SafeTensorsWriter.write(tensors, metadata: meta, to: url)
    }
}

func argmax(_ row: [Float]) -> Int {
    var best = 0
    for i in row.indices where row[i] > row[best] { best = i }
    return best
}
