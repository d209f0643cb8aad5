import FineTune
import XCTest

final class PromotionGateTests: XCTestCase {
    let gate = PromotionGate()
    let labels = ["ham", "spam"]

    /// A holdout of `ham` ham and `spam` spam messages; `activeWrong`/`candidateWrong` are the
    /// indices each model gets wrong.
    private func holdout(ham: Int, spam: Int, activeWrong: Set<Int>, candidateWrong: Set<Int>) -> PromotionGate.Holdout {
        let actual = Array(repeating: 0, count: ham) + Array(repeating: 1, count: spam)
        func predictions(_ wrong: Set<Int>) -> [Int] { actual.indices.map { wrong.contains($0) ? 1 - actual[$0] : actual[$0] } }
        return PromotionGate.Holdout(actual: actual, active: predictions(activeWrong), candidate: predictions(candidateWrong))
    }

    private var unchangedSeed: PromotionGate.Holdout {
        holdout(ham: 300, spam: 150, activeWrong: [1, 2, 3, 310, 311], candidateWrong: [1, 2, 4, 310, 312])
    }

    func testTheFirstModelIsPromoted() {
        XCTAssertEqual(gate.judge(nil, labels: labels).decision, .promote)
    }

    func testANewKindLearnedWithoutForgettingIsPromoted() {
        // 20 held-out new-kind spam: the active model caught 2, the candidate 19. The seed is as it was.
        let newKind = holdout(ham: 0, spam: 20, activeWrong: Set(2..<20), candidateWrong: [0])
        let verdict = gate.judge(["labels": newKind, "seed": unchangedSeed], labels: labels)
        XCTAssertEqual(verdict.decision, .promote, "\(verdict.reasons)")
        let comparison = try! XCTUnwrap(verdict.holdouts["labels"])
        XCTAssertEqual(comparison.difference, 0.85, accuracy: 1e-9)
        XCTAssertEqual(comparison.candidateOnly, 18)
        XCTAssertEqual(comparison.activeOnly, 1)
        XCTAssertGreaterThan(comparison.low, 0)
        XCTAssertTrue(verdict.reasons[0].hasPrefix("labels: balanced accuracy 10.00% -> 95.00%"), verdict.reasons[0])
        XCTAssertTrue(verdict.reasons[0].hasSuffix("better"), verdict.reasons[0])
        XCTAssertTrue(verdict.reasons[1].hasSuffix("no clear difference"), verdict.reasons[1])
        XCTAssertEqual(verdict.reasons.last, "promoted: the candidate is better")
    }

    func testForgettingTheSeedBeyondTheToleranceIsRejected() {
        let newKind = holdout(ham: 0, spam: 20, activeWrong: Set(2..<20), candidateWrong: [])
        // 30 of 300 seed ham now called spam.
        let forgot = holdout(ham: 300, spam: 150, activeWrong: [], candidateWrong: Set(0..<30))
        let verdict = gate.judge(["labels": newKind, "seed": forgot], labels: labels)
        XCTAssertEqual(verdict.decision, .reject, "\(verdict.reasons)")
        XCTAssertEqual(try XCTUnwrap(verdict.holdouts["seed"]).difference, -0.05, accuracy: 1e-9, "ham recall -10 points, spam 0: -5 balanced")
        XCTAssertTrue(verdict.reasons.contains { $0.hasPrefix("seed:") && $0.hasSuffix("worse beyond the tolerance of 1 point") },
                      "\(verdict.reasons)")
    }

    func testAModelThatCallsEverythingSpamCanNeverPass() {
        let newKind = holdout(ham: 0, spam: 20, activeWrong: Set(0..<20), candidateWrong: [])
        let allSpam = holdout(ham: 300, spam: 150, activeWrong: [], candidateWrong: Set(0..<300))
        let verdict = gate.judge(["labels": newKind, "seed": allSpam], labels: labels)
        XCTAssertEqual(verdict.decision, .reject)
        XCTAssertEqual(try XCTUnwrap(verdict.holdouts["seed"]).candidateBalancedAccuracy, 0.5, accuracy: 1e-9)
    }

    func testThreeMessagesOfNoiseDecideNothing() {
        // Only the recent labels' holdout, of 3 messages, all 3 newly right: McNemar's p is 0.25.
        let tiny = holdout(ham: 1, spam: 2, activeWrong: [0, 1, 2], candidateWrong: [])
        let verdict = gate.judge(["labels": tiny], labels: labels)
        XCTAssertEqual(try XCTUnwrap(verdict.holdouts["labels"]).pValue, 0.25, accuracy: 1e-12)
        XCTAssertEqual(verdict.decision, .inconclusive, "\(verdict.reasons)")
        XCTAssertTrue(verdict.reasons.last!.hasPrefix("inconclusive"), "\(verdict.reasons)")

        // A drop beyond the tolerance that a small holdout cannot confirm keeps the active model too.
        let newKind = holdout(ham: 0, spam: 40, activeWrong: Set(0..<40), candidateWrong: [])
        let smallSeed = holdout(ham: 20, spam: 20, activeWrong: [], candidateWrong: [0])
        let unsure = gate.judge(["labels": newKind, "seed": smallSeed], labels: labels)
        XCTAssertEqual(unsure.decision, .inconclusive, "\(unsure.reasons)")
        XCTAssertTrue(unsure.reasons.contains { $0.hasPrefix("seed:") && $0.contains("too few messages to tell") }, "\(unsure.reasons)")
    }

    /// One holdout clearly better, but a tiny, heavily weighted one too noisy to tell: the
    /// combined interval reaches below zero, and the reason says that, not "no holdout better".
    func testABetterHoldoutOutweighedByANoisyOneSaysWhy() {
        let noisy = holdout(ham: 1, spam: 1, activeWrong: [0, 1], candidateWrong: [])
        let seedBetter = holdout(ham: 300, spam: 150, activeWrong: Set(0..<60), candidateWrong: [])
        var settings = PromotionGate.Settings()
        settings.weights = ["labels": 10, "seed": 1]
        let verdict = PromotionGate(settings: settings).judge(["labels": noisy, "seed": seedBetter], labels: labels)
        XCTAssertTrue(verdict.reasons.contains { $0.hasPrefix("seed:") && $0.hasSuffix("better") }, "\(verdict.reasons)")
        XCTAssertLessThanOrEqual(try XCTUnwrap(verdict.combined).low, 0, "\(verdict.reasons)")
        XCTAssertEqual(verdict.decision, .inconclusive, "\(verdict.reasons)")
        XCTAssertTrue(verdict.reasons.last!.hasPrefix("inconclusive: a holdout shows the candidate better, but"), "\(verdict.reasons)")
    }

    func testEveryLabelMustBeHeldOutSomewhere() {
        let spamOnly = holdout(ham: 0, spam: 40, activeWrong: Set(0..<40), candidateWrong: [])
        let verdict = gate.judge(["labels": spamOnly], labels: labels)
        XCTAssertEqual(verdict.decision, .inconclusive)
        XCTAssertTrue(verdict.reasons.contains { $0.hasPrefix("no held-out ham messages") }, "\(verdict.reasons)")
    }

    func testWeightsSayWhichHoldoutsCount() {
        let newKind = holdout(ham: 0, spam: 20, activeWrong: Set(2..<20), candidateWrong: [])
        let forgot = holdout(ham: 300, spam: 150, activeWrong: [], candidateWrong: Set(0..<30))
        var settings = PromotionGate.Settings()
        settings.weights = ["labels": 1, "seed": 0]
        // With the seed not counted, nothing holds out ham: the gate cannot show the candidate no worse.
        let verdict = PromotionGate(settings: settings).judge(["labels": newKind, "seed": forgot], labels: labels)
        XCTAssertTrue(verdict.reasons.contains { $0.hasPrefix("seed:") && $0.hasSuffix("weight 0: not counted") }, "\(verdict.reasons)")
        XCTAssertEqual(verdict.decision, .inconclusive)
        // Weighted 3:1 toward the seed, the combined difference leans on the seed's.
        settings.weights = ["labels": 1, "seed": 3]
        let seedHeavy = PromotionGate(settings: settings).judge(["labels": newKind, "seed": unchangedSeed], labels: labels)
        let combined = try! XCTUnwrap(seedHeavy.combined)
        let parts = seedHeavy.holdouts.mapValues(\.difference)
        XCTAssertEqual(combined.difference, (parts["labels"]! + 3 * parts["seed"]!) / 4, accuracy: 1e-9)
    }

    func testMcNemarAndTheNormalQuantile() {
        XCTAssertEqual(PairedComparison.mcNemarExact(0, 6), 0.03125, accuracy: 1e-12)
        XCTAssertEqual(PairedComparison.mcNemarExact(3, 3), 1)
        XCTAssertEqual(PairedComparison.mcNemarExact(2, 10), 0.0385742, accuracy: 1e-6)  // scipy.stats.binomtest(2, 12).pvalue
        XCTAssertEqual(PairedComparison.mcNemarExact(0, 0), 1)
        XCTAssertEqual(PairedComparison.normalQuantile(0.975), 1.959964, accuracy: 1e-6)
    }
}
