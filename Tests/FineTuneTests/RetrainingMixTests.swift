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
