import XCTest
import GPT2
@testable import FineTune

final class AdamWTests: XCTestCase {
    /// Two steps on a few values, against the update written out in Double.
    func testMatchesTheFormulaWithDecoupledDecayAndBiasCorrection() {
        let values: [Float] = [0.5, -1.5, 2, 0, 0.25, -0.75, 1, 3, -2, 0.125, 4]  // 11: the SIMD body and the scalar tail
        let p = Parameter(name: "x", initial: Tensor(shape: [values.count], values: values))
        let config = AdamWConfig(learningRate: 0.01, weightDecay: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        var opt = AdamW(config: config)
        var x = values.map(Double.init), m = [Double](repeating: 0, count: values.count), v = m
        let gradients: [[Float]] = [values.map { $0 * 0.3 - 0.1 }, values.map { 0.2 - $0 * $0 * 0.05 }]
        for (t, g) in gradients.enumerated() {
            for i in g.indices { p.grad.pointer[i] = g[i] }
            opt.update([p])
            let step = Double(t + 1)
            for i in x.indices {
                x[i] *= 1 - 0.01 * 0.1
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mHat = m[i] / (1 - pow(0.9, step)), vHat = v[i] / (1 - pow(0.999, step))
                x[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
            for i in x.indices { XCTAssertEqual(Double(p.value.pointer[i]), x[i], accuracy: 1e-6, "step \(t + 1) element \(i)") }
            XCTAssertEqual(p.grad.array, Array(repeating: 0, count: values.count), "the update consumes the gradient")
        }
        XCTAssertEqual(opt.step, 2)
    }

    /// Weight decay applies even where the gradient is zero (biases and LayerNorms included).
    func testDecayWithoutGradient() {
        let p = Parameter(name: "ln_f.weight", initial: Tensor(shape: [3], values: [1, 2, 3]))
        var opt = AdamW(config: AdamWConfig(learningRate: 0.1, weightDecay: 0.5))
        opt.update([p])
        XCTAssertEqual(p.value.array, [0.95, 1.9, 2.85])
    }

    /// The start pull (L2-SP) draws a parameter back toward where it started, decoupled like the decay.
    func testStartPullDrawsBackToTheStart() {
        let p = Parameter(name: "x", initial: Tensor(shape: [2], values: [1, -1]))
        p.anchorAtCurrentValue()
        for i in 0..<2 { p.value.pointer[i] += 1 }  // moved to [2, 0]
        var opt = AdamW(config: AdamWConfig(learningRate: 0.1, weightDecay: 0, startPull: 5))
        opt.update([p])  // no gradient: only the pull, x -= 0.1·5·(x - x₀)
        XCTAssertEqual(p.value.array, [1.5, -0.5])
    }
}

final class TrainingLoopTests: XCTestCase {
    func makeTrainer(_ change: (inout TrainingConfig) -> Void = { _ in }) throws -> Trainer {
        var config = TrainingConfig()
        config.epochs = 2
        config.optimizer.learningRate = 1e-3
        change(&config)
        return try Trainer(config: config, base: TinyModel.weights())
    }

    func testSameSeedSameRunOtherSeedOtherRun() throws {
        func run(_ seed: UInt64) throws -> [[Float]] {
            let trainer = try makeTrainer { $0.seed = seed }
            try trainer.train(train: trainer.prepare(TinyModel.examples(count: 20)))
            return trainer.parameters.map(\.value.array)
        }
        XCTAssertEqual(try run(7), try run(7))
        XCTAssertNotEqual(try run(7), try run(8))
    }

    /// WiSE-FT: after training, the weights a fraction α of the way from the start to the trained ones.
    func testInterpolationFromTheStart() throws {
        func trained(_ alpha: Float) throws -> (start: [[Float]], end: [[Float]]) {
            let trainer = try makeTrainer { $0.interpolation = alpha }
            let start = trainer.parameters.map(\.value.array)
            try trainer.train(train: trainer.prepare(TinyModel.examples(count: 20)))
            trainer.interpolateFromStart(alpha)
            return (start, trainer.parameters.map(\.value.array))
        }
        let full = try trained(1), half = try trained(0.5)
        XCTAssertEqual(full.start, half.start)
        XCTAssertNotEqual(full.start, full.end)
        for (t, tensor) in half.end.enumerated() {
            for i in tensor.indices {
                XCTAssertEqual(tensor[i], (half.start[t][i] + full.end[t][i]) / 2, accuracy: 1e-6)
            }
        }
    }

    /// Soft targets train: a set distilled toward its own labels' one-hot rows trains as the labels do.
    func testOneHotTargetsTrainAsTheLabels() throws {
        func run(distilled: Bool) throws -> [[Float]] {
            let trainer = try makeTrainer()
            var set = try trainer.prepare(TinyModel.examples(count: 20))
            if distilled {
                let teacher = set.labels.map { _ in [Float](repeating: 0, count: 2) }
                let none = set.labels.map { _ in false }  // no row distilled: every target is its label's one-hot
                set = set.withTargets(Distillation.targets(labels: set.labels, teacher: teacher, distilled: none, weight: 0.5))
            }
            try trainer.train(train: set)
            return trainer.parameters.map(\.value.array)
        }
        XCTAssertEqual(try run(distilled: true), try run(distilled: false))
    }

    /// Two half batches with scale 1/2 give the gradient of the whole batch's mean loss.
    func testGradientAccumulationEqualsOneBigBatch() throws {
        let whole = try makeTrainer(), halves = try makeTrainer()
        let examples = TinyModel.examples(count: 8)
        let (a, b) = (try whole.prepare(examples), try halves.prepare(examples))
        whole.accumulateGradients(a, indices: Array(0..<8))
        halves.accumulateGradients(b, indices: Array(0..<4), scale: 0.5)
        halves.accumulateGradients(b, indices: Array(4..<8), scale: 0.5)
        for (p, q) in zip(whole.parameters, halves.parameters) {
            for (x, y) in zip(p.grad.array, q.grad.array) { XCTAssertEqual(x, y, accuracy: 1e-6, p.name) }
        }
    }

    func testStepsPerEpochDropTheLastPartialBatchAndAccumulate() throws {
        var steps: [Int] = []
        let trainer = try makeTrainer { $0.batchSize = 4; $0.accumulationSteps = 2; $0.epochs = 1 }
        try trainer.train(train: trainer.prepare(TinyModel.examples(count: 21))) {
            if case let .step(_, _, of, _) = $0 { steps.append(of) }
        }
        // 21 examples: 5 full batches of 4 (the 1 left over is dropped), in steps of 2 + 2 + 1.
        XCTAssertEqual(steps, [3, 3, 3])
        XCTAssertEqual(trainer.optimizer.step, 3)
    }

    func testEpochsShuffleDifferently() throws {
        let trainer = try makeTrainer()
        XCTAssertNotEqual(trainer.epochBatches(count: 16), trainer.epochBatches(count: 16))
    }

    func testTrainingLowersTheLoss() throws {
        let trainer = try makeTrainer { $0.epochs = 8; $0.trainable = .all; $0.optimizer.learningRate = 3e-3 }
        let set = try trainer.prepare(TinyModel.examples(count: 32))
        let before = trainer.evaluate(set).loss
        try trainer.train(train: set)
        XCTAssertLessThan(trainer.evaluate(set).loss, before * 0.8)
    }

    func testOutOfVocabularyIdsAreRefused() throws {
        let trainer = try makeTrainer()
        XCTAssertThrowsError(try trainer.prepare([TokenizedExample(ids: [1, 60_000], label: 0)])) { error in
            XCTAssertTrue("\(error)".contains("vocabulary"), "\(error)")
        }
    }

    func testTrainableSetNames() {
        for text in ["head", "last-block", "last-3-blocks", "all"] {
            XCTAssertEqual(TrainableSet(text)?.description, text)
        }
        XCTAssertEqual(TrainableSet("last-1-blocks"), .lastBlocks(1))
        XCTAssertNil(TrainableSet("last-0-blocks"))
        XCTAssertNil(TrainableSet("everything"))
        XCTAssertEqual(TrainableSet.lastBlocks(1).tensorNames(config: TinyModel.config).count, 16)
    }
}
