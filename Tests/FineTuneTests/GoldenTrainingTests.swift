import Foundation
import XCTest
import TestSupport
import GPT2
@testable import FineTune

/// Three AdamW steps on one batch against PyTorch + transformers
/// (`../shared/golden/tiny-training.safetensors` and `.json`).
final class GoldenTrainingTests: XCTestCase {
    struct Info: Decodable {
        let trainable: [String]
        let losses_before_each_step: [Float]
    }

    static let tolerance: Float = 1e-4

    func testLossGradientsAndParametersOfThreeStepsMatchPyTorch() throws {
        let info = try JSONDecoder().decode(Info.self, from: Data(contentsOf: SharedFixtures.require("golden/tiny-training.json")))
        let golden = try SafeTensorsFile(url: SharedFixtures.require("golden/tiny-training.safetensors"))
        let dir = try SharedFixtures.require("golden/tiny-gpt2")
        let base = try GPT2Weights.load(directory: dir)
        let head = try ClassifierFile.load(dir.appendingPathComponent("head.safetensors"), base: base).head

        var config = TrainingConfig()
        config.trainable = .lastBlocks(1)
        config.pooling = .padded(maxLength: 40)
        config.optimizer = AdamWConfig(learningRate: 1e-3, weightDecay: 0.1)
        let trainer = try Trainer(config: config, base: base, head: head)
        XCTAssertEqual(trainer.parameters.map(\.name), info.trainable, "exactly the golden trainable set, in order")

        let ids = try golden.integers("input_ids"), labels = try golden.integers("labels")
        XCTAssertEqual(ids.count, 10 * 40)
        let examples = (0..<10).map { TokenizedExample(ids: Array(ids[($0 * 40)..<(($0 + 1) * 40)]), label: labels[$0]) }
        let batch = try trainer.prepare(examples)
        XCTAssertEqual(batch.sequences.map(\.count), Array(repeating: 40, count: 10), "already padded: padded:40 keeps them")

        for step in 1...3 {
            let (loss, _) = trainer.accumulateGradients(batch, indices: Array(0..<10))
            XCTAssertEqual(loss, info.losses_before_each_step[step - 1], accuracy: Self.tolerance, "loss before step \(step)")
            if step == 1 {
                for p in trainer.parameters {
                    try assertClose(p.grad, golden.tensor("grad.\(p.name)"), "gradient of \(p.name)")
                }
            }
            trainer.applyGradients()
            for p in trainer.parameters {
                try assertClose(p.value, golden.tensor("step\(step).\(p.name)"), "\(p.name) after step \(step)")
                XCTAssertEqual(p.grad.array.map(abs).max(), 0, "gradients are zeroed after the step")
            }
        }
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        let worst = zip(a.array, b.array).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, Self.tolerance, "\(what): max abs diff \(worst)", file: file, line: line)
    }
}
