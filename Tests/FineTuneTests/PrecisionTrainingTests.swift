import Foundation
import TestSupport
import XCTest
@testable import FineTune
@testable import GPT2

/// Train as you serve: a trainer whose frozen prefix runs in a reduced precision scores its
/// model on the features serving in that precision computes.
final class PrecisionTrainingTests: XCTestCase {
    func testATrainersEvaluationIsWhatServingInItsPrecisionAnswers() throws {
        let precision = CPUKernels.current.fastest
        try XCTSkipIf(precision == .fp32, "skipped: this CPU (\(CPUKernels.current.isa)) has no reduced precision to train in")
        let directory = try SharedFixtures.require("golden/tiny-gpt2")
        let base = try GPT2Weights.load(directory: directory)
        var rng = SeededRandom(seed: 21)
        let examples = (0..<40).map { i in
            TokenizedExample(ids: (0..<(5 + Int(rng.next() % 30))).map { _ in Int(rng.next() % 50257) }, label: i % 2)
        }
        var config = TrainingConfig()
        config.trainable = .lastBlocks(1)
        config.epochs = 1
        config.threads = 1
        config.precision = precision
        let trainer = try Trainer(config: config, base: base)
        let prepared = try trainer.prepare(examples)
        try trainer.train(train: prepared, validation: nil) { _ in }
        let evaluation = trainer.evaluate(prepared)

        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("precision-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        try trainer.writeCheckpoint(to: checkpoint)
        XCTAssertEqual(try SafeTensorsFile(url: checkpoint).metadata["precision"], precision.rawValue)

        func servedLoss(_ p: Precision) throws -> Double {
            let classifier = try Classifier(baseDirectory: directory, classifierFile: checkpoint, pooling: .last, precision: p)
            XCTAssertEqual(classifier.model.precision, p)
            let predictions = classifier.classify(tokenIDs: examples.map(\.ids))
            return zip(predictions, examples).map { -log(Double($0.probabilities[$1.label])) }.reduce(0, +) / Double(examples.count)
        }
        XCTAssertEqual(try servedLoss(precision), evaluation.loss, accuracy: 1e-5, "served in \(precision) = what the trainer scored")
        XCTAssertNotEqual(try servedLoss(.fp32), evaluation.loss, "fp32 features differ, so the precision did matter")
    }
}
