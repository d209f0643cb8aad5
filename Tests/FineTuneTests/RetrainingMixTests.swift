import Foundation
import FineTune
import XCTest

final class RetrainingMixTests: XCTestCase {
    private func examples(_ label: String, _ count: Int, _ prefix: String) -> [LabeledExample] {
        (0..<count).map { LabeledExample(text: "\(prefix)\($0)", label: label) }
    }

    func testReplayTopsUpTheClassesTheLabelsLeaveShortAndLabelsAreKept() {
        let labels = examples("spam", 60, "new")
        let replay = examples("ham", 500, "seed-ham") + examples("spam", 500, "seed-spam")
        let mix = RetrainingMix.make(labels: labels, replay: replay, replayLimit: 200, classes: .hamSpam, seed: 1)
        XCTAssertEqual(mix.perClass, ["ham": 100, "spam": 100], "balanced at the replay's 100 per class")
        XCTAssertEqual(mix.fromLabels, 60, "every label is kept")
        XCTAssertEqual(mix.fromReplay, 140)
        XCTAssertEqual(mix.replayed.filter { $0 }.count, 140, "each example says whether it is replayed")
        XCTAssertEqual(mix.keptLabels, Array(0..<60))
        XCTAssertEqual(Set(mix.examples.filter { $0.text.hasPrefix("new") }.map(\.text)), Set(labels.map(\.text)))
        XCTAssertEqual(mix, RetrainingMix.make(labels: labels, replay: replay, replayLimit: 200, classes: .hamSpam, seed: 1), "seeded")
    }

    func testWithoutReplayTheNewestLabelsOfTheLargerClassStay() {
        let labels = examples("spam", 10, "s") + examples("ham", 4, "h")
        let mix = RetrainingMix.make(labels: labels, replay: [], replayLimit: 0, classes: .hamSpam, seed: 1)
        XCTAssertEqual(mix.perClass, ["ham": 4, "spam": 4])
        XCTAssertEqual(mix.examples.filter { $0.label == "spam" }.map(\.text), ["s6", "s7", "s8", "s9"])
    }

    func testAClassWithNoExamplesGivesNothingToTrainOn() {
        let mix = RetrainingMix.make(labels: examples("spam", 10, "s"), replay: [], replayLimit: 100, classes: .hamSpam, seed: 1)
        XCTAssertTrue(mix.examples.isEmpty)
        XCTAssertEqual(mix.perClass["ham"], 0)
    }
}

final class DistillationTests: XCTestCase {
    func testReplayedRowsMixTheLabelWithTheTeachersProbabilities() {
        let targets = Distillation.targets(labels: [1, 0], teacher: [[0, 0], [0, Float(log(3.0))]], distilled: [true, false], weight: 0.4)
        // Row 0: teacher ½ ½ → 0.6·[0, 1] + 0.4·[½, ½]; row 1 is a label: one-hot.
        XCTAssertEqual(targets[0], 0.2, accuracy: 1e-6)
        XCTAssertEqual(targets[1], 0.8, accuracy: 1e-6)
        XCTAssertEqual(Array(targets[2...]), [1, 0])
    }
}
