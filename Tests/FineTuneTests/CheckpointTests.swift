import Foundation
import XCTest
import GPT2
@testable import FineTune

/// Base model + checkpoint, loaded the way the daemon loads them (`Classifier`), gives exactly
/// the trainer's logits; the file holds only what trained.
final class CheckpointTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Trains one epoch, writes base and checkpoint, and compares logits through `Classifier`.
    @discardableResult
    func roundTrip(_ trainable: TrainableSet, pooling: Pooling = .last, warmStart: URL? = nil, name: String) throws -> URL {
        let base = TinyModel.weights()
        let baseDirectory = directory.appendingPathComponent("base")
        try base.write(directory: baseDirectory)
        var config = TrainingConfig()
        config.trainable = trainable
        config.pooling = pooling
        config.epochs = 1
        config.optimizer.learningRate = 1e-2  // move the weights visibly in one epoch
        let trainer = try Trainer(config: config, base: try GPT2Weights.load(directory: baseDirectory), warmStart: warmStart)
        let examples = TinyModel.examples(count: 24)
        let set = try trainer.prepare(examples)
        try trainer.train(train: set)
        let url = directory.appendingPathComponent("\(name).safetensors")
        let evaluation = trainer.evaluate(set)
        try trainer.writeCheckpoint(to: url, metadata: [ClassifierFile.Key.baseSHA256: try Checkpoint.baseSHA256(directory: baseDirectory)],
                                    metrics: ["train": evaluation])

        let classifier = try Classifier(baseDirectory: baseDirectory, classifierFile: url, pooling: nil)
        XCTAssertEqual(classifier.pooling, pooling)
        XCTAssertEqual(classifier.labels, ["ham", "spam"])
        // Bit for bit: all 24 sequences are one packed batch on both sides, so every row sits at the same
        // place in every GEMM (OpenBLAS's rounding of a row depends on its place in the batch).
        let predictions = classifier.classify(tokenIDs: examples.map(\.ids))
        XCTAssertEqual(predictions.map(\.logits), trainer.logits(set), "\(trainable): inference must reproduce the trainer's logits exactly")

        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.metadata[Checkpoint.Key.trainable], trainable.description)
        XCTAssertEqual(file.metadata[Checkpoint.Key.epochs], "1")
        XCTAssertEqual(file.metadata[Checkpoint.Key.seed], "123")
        XCTAssertEqual(file.metadata[ClassifierFile.Key.baseSHA256]?.count, 64)
        let metrics = try JSONDecoder().decode([String: Evaluation].self, from: Data(file.metadata[Checkpoint.Key.metrics]!.utf8))
        XCTAssertEqual(metrics["train"], evaluation)
        return url
    }

    func testHeadOnlyHoldsTheHead() throws {
        let url = try roundTrip(.head, name: "head")
        XCTAssertEqual(Set(try SafeTensorsFile(url: url).entries.keys), ["score.weight", "score.bias"])
    }

    func testLastBlockHoldsTheLastBlockLnFAndHead() throws {
        let url = try roundTrip(.lastBlocks(1), name: "last")
        XCTAssertEqual(Set(try SafeTensorsFile(url: url).entries.keys), Set(TrainableSet.lastBlocks(1).tensorNames(config: TinyModel.config)))
        XCTAssertEqual(try SafeTensorsFile(url: url).entries.count, 12 + 2 + 2)
    }

    func testLastTwoBlocksPadded() throws {
        try roundTrip(.lastBlocks(2), pooling: .padded(maxLength: 14), name: "last2")
    }

    func testAllIncludesTheEmbeddings() throws {
        let url = try roundTrip(.all, name: "all")
        let names = Set(try SafeTensorsFile(url: url).entries.keys)
        XCTAssertTrue(names.isSuperset(of: ["wte.weight", "wpe.weight", "h.0.ln_1.weight", "ln_f.bias", "score.weight"]))
    }

    /// A warm start that trains less than the checkpoint it starts from carries the rest on.
    func testWarmStartCarriesFrozenTrainedTensors() throws {
        let first = try roundTrip(.lastBlocks(2), name: "first")
        let second = try roundTrip(.lastBlocks(1), warmStart: first, name: "second")
        let names = Set(try SafeTensorsFile(url: second).entries.keys)
        XCTAssertTrue(names.contains("h.1.attn.c_attn.weight"), "h.1 was trained by the first run and must stay")
    }

    /// Warm-starting resumes exactly from the checkpoint: its logits before any step are the checkpoint's.
    func testWarmStartBeginsWhereTheCheckpointEnded() throws {
        let url = try roundTrip(.lastBlocks(1), name: "start")
        let base = try GPT2Weights.load(directory: directory.appendingPathComponent("base"))
        let trainer = try Trainer(config: TrainingConfig(), base: base, warmStart: url)
        let examples = TinyModel.examples(count: 24)
        let classifier = try Classifier(baseDirectory: directory.appendingPathComponent("base"), classifierFile: url, pooling: nil)
        XCTAssertEqual(trainer.logits(try trainer.prepare(examples)), classifier.classify(tokenIDs: examples.map(\.ids)).map(\.logits))
    }

    func testWarmStartWithOtherLabelsIsRefused() throws {
        let url = try roundTrip(.head, name: "hamspam")
        var config = TrainingConfig()
        config.labels = LabelSet(names: ["a", "b"])
        let base = try GPT2Weights.load(directory: directory.appendingPathComponent("base"))
        XCTAssertThrowsError(try Trainer(config: config, base: base, warmStart: url)) { error in
            XCTAssertTrue("\(error)".contains("labels"), "\(error)")
        }
    }

    /// Identical sequences share one prefix computation; each still gets the logits inference gives it.
    func testDuplicateExamplesShareThePrefixCacheInvisibly() throws {
        let base = TinyModel.weights()
        let unique = TinyModel.examples(count: 6)
        let examples = unique + [unique[2], unique[0], unique[2]]
        for trainable in [TrainableSet.head, .lastBlocks(1), .lastBlocks(2)] {
            var config = TrainingConfig()
            config.trainable = trainable
            let trainer = try Trainer(config: config, base: base)
            let set = try trainer.prepare(examples)
            XCTAssertEqual(set.cacheRows[6], set.cacheRows[2], "\(trainable): a duplicate points at the first copy's rows")
            let logits = trainer.logits(set)
            XCTAssertEqual(logits[6], logits[2])
            XCTAssertEqual(logits[7], logits[0])
            // Within an ulp, not bit for bit: OpenBLAS rounds a row differently depending on where it sits in
            // a packed batch (edge kernels), and a duplicate's prefix was computed at its first copy's place.
            // (The inference engine itself gives the three copies of example 2 logits an ulp apart.)
            let classifier = Classifier(model: GPT2Model(weights: base), head: trainer.head, pooling: .last)
            for (inferred, trained) in zip(classifier.classify(tokenIDs: examples.map(\.ids)).map(\.logits), logits) {
                for (a, b) in zip(inferred, trained) { XCTAssertEqual(a, b, accuracy: 1e-5, "\(trainable)") }
            }
        }
    }
}
