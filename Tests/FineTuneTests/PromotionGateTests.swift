import FineTune
import XCTest

final class PromotionGateTests: XCTestCase {
    /// An evaluation of 100 examples, 50 spam, with the given counts right.
    private func evaluation(hamRight: Int, spamRight: Int) -> Evaluation {
        var confusion = ConfusionMatrix(labels: ["ham", "spam"])
        for i in 0..<50 { confusion.add(actual: 0, predicted: i < hamRight ? 0 : 1) }
        for i in 0..<50 { confusion.add(actual: 1, predicted: i < spamRight ? 1 : 0) }
        return Evaluation(confusion: confusion, loss: 0)
    }

    let gate = PromotionGate(accuracyTolerance: 0.01, recallTolerance: 0.02)

    func testNoWorseWithinToleranceIsPromoted() {
        let active = ["labels": evaluation(hamRight: 45, spamRight: 40), "seed": evaluation(hamRight: 49, spamRight: 48)]
        let candidate = ["labels": evaluation(hamRight: 48, spamRight: 49), "seed": evaluation(hamRight: 49, spamRight: 47)]
        let verdict = gate.judge(candidate: candidate, active: active)
        XCTAssertTrue(verdict.promote, "\(verdict.reasons)")  // seed: accuracy -1 point, recall -2 points: at the limits
        XCTAssertEqual(verdict.reasons.count, 4)
    }

    func testWorseOnAnyHoldoutIsRejected() {
        let active = ["labels": evaluation(hamRight: 45, spamRight: 40), "seed": evaluation(hamRight: 50, spamRight: 50)]
        let forgets = ["labels": evaluation(hamRight: 50, spamRight: 50), "seed": evaluation(hamRight: 50, spamRight: 47)]
        let verdict = gate.judge(candidate: forgets, active: active)
        XCTAssertFalse(verdict.promote)
        XCTAssertTrue(verdict.reasons.contains { $0.hasPrefix("seed spam recall") && $0.hasSuffix("worse") }, "\(verdict.reasons)")
        XCTAssertFalse(gate.judge(candidate: ["labels": evaluation(hamRight: 40, spamRight: 40)], active: active).promote)
    }

    func testAHoldoutWithoutHamCannotPromote() {
        var spamOnly = ConfusionMatrix(labels: ["ham", "spam"])
        for _ in 0..<20 { spamOnly.add(actual: 1, predicted: 1) }
        var before = ConfusionMatrix(labels: ["ham", "spam"])
        for i in 0..<20 { before.add(actual: 1, predicted: i < 10 ? 1 : 0) }
        let verdict = gate.judge(candidate: ["labels": Evaluation(confusion: spamOnly, loss: 0)],
                                 active: ["labels": Evaluation(confusion: before, loss: 0)])
        XCTAssertFalse(verdict.promote, "a model calling everything spam would pass a spam-only holdout")
        XCTAssertTrue(verdict.reasons.contains { $0.hasPrefix("no held-out ham examples") }, "\(verdict.reasons)")
    }

    func testTheFirstModelPassesAndAnUnscoredCandidateDoesNot() {
        XCTAssertTrue(gate.judge(candidate: [:], active: nil).promote)
        XCTAssertFalse(gate.judge(candidate: [:], active: [:]).promote)
    }
}
