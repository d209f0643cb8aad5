import XCTest
import GPT2
@testable import FineTune

/// The whole trainable tail's backward (blocks on all rows, the pooled last block, ln_f, head,
/// embeddings) against finite differences of the trainer's own loss, for every trainable set
/// and both poolings.
final class TailGradientTests: XCTestCase {
    func check(_ trainable: TrainableSet, pooling: Pooling, file: StaticString = #filePath, line: UInt = #line) throws {
        var config = TrainingConfig()
        config.trainable = trainable
        config.pooling = pooling
        let trainer = try Trainer(config: config, base: TinyModel.weights())
        let set = try trainer.prepare(TinyModel.examples(count: 5))
        let all = Array(0..<set.count)
        trainer.accumulateGradients(set, indices: all)
        XCTAssertEqual(trainer.parameters.map(\.name), trainable.tensorNames(config: TinyModel.config), file: file, line: line)

        func loss() -> Double { trainer.evaluate(set, batchSize: set.count).loss }
        var rng = SeededRandom(seed: 3)
        // Small: residual biases sit behind LayerNorms of a tiny random stream, where the loss curves
        // enough that eps = 1e-2 is off by 3% through the eps² term.
        let eps: Float = 2e-3
        for p in trainer.parameters {
            let scale = Double(p.grad.array.map(abs).max() ?? 0)
            XCTAssertGreaterThan(scale, 0, "\(p.name) has no gradient", file: file, line: line)
            // Elements with a gradient; for the embeddings only the rows the batch uses have one.
            let candidates = p.grad.array.indices.filter { p.grad.pointer[$0] != 0 }
            for _ in 0..<6 {
                let i = candidates[Int(rng.next() % UInt64(candidates.count))]
                let saved = p.value.pointer[i]
                p.value.pointer[i] = saved + eps
                let up = loss()
                p.value.pointer[i] = saved - eps
                let down = loss()
                p.value.pointer[i] = saved
                let numeric = (up - down) / Double(2 * eps)
                let analytic = Double(p.grad.pointer[i])
                // Relative to the tensor's largest gradient, plus what an fp32 loss of ~0.7 can resolve
                // with this eps (ulp 6e-8 / 4e-3 ≈ 2e-5, so 1e-4).
                XCTAssertLessThan(abs(numeric - analytic), 2e-2 * scale + 1e-4,
                                  "\(trainable) \(pooling) \(p.name)[\(i)]: backward \(analytic), differences \(numeric)", file: file, line: line)
            }
        }
    }

    func testHead() throws { try check(.head, pooling: .last) }
    func testLastBlock() throws { try check(.lastBlocks(1), pooling: .last) }
    func testLastTwoBlocks() throws { try check(.lastBlocks(2), pooling: .last) }
    func testAll() throws { try check(.all, pooling: .last) }
    func testAllPadded() throws { try check(.all, pooling: .padded(maxLength: 10)) }
    func testLastTwoBlocksPadded() throws { try check(.lastBlocks(2), pooling: .padded(maxLength: 12)) }

    /// Frozen tensors of the base are untouched by training (mapped ones could not be written anyway).
    func testFrozenTensorsStayAsTheyWere() throws {
        let base = TinyModel.weights()
        let before = base.namedTensors.map { ($0.name, $0.tensor.array) }
        var config = TrainingConfig()
        config.trainable = .lastBlocks(1)
        config.epochs = 1
        let trainer = try Trainer(config: config, base: base)
        try trainer.train(train: trainer.prepare(TinyModel.examples(count: 16)))
        for (name, values) in before {
            XCTAssertEqual(base.namedTensors.first { $0.name == name }?.tensor.array, values, "\(name) changed")
        }
        // ...while the trained copy moved.
        let trained = trainer.parameters.first { $0.name == "h.2.mlp.c_fc.weight" }!
        XCTAssertNotEqual(trained.value.array, base.blocks[2].fcW.array)
    }
}
