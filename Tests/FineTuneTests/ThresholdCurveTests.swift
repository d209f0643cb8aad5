import XCTest
@testable import FineTune

final class ThresholdCurveTests: XCTestCase {
    func testCountsAndRatesAtEachThreshold() {
        let scores: [(spamProbability: Double, isSpam: Bool)] = [
            (0.99, true), (0.7, true), (0.3, true), (0.8, false), (0.2, false), (0.1, false), (0.05, false),
        ]
        let curve = ThresholdCurve(scores: scores, thresholds: [0.1, 0.5, 0.75, 0.995])
        XCTAssertEqual(curve.spam, 3)
        XCTAssertEqual(curve.ham, 4)
        XCTAssertEqual(curve.points.map(\.spamCaught), [3, 2, 1, 0])
        XCTAssertEqual(curve.points.map(\.hamCalledSpam), [3, 1, 1, 0])
        XCTAssertEqual(curve.points[1].precision, 2.0 / 3.0)
        XCTAssertEqual(curve.points[1].recall, 2.0 / 3.0)
        XCTAssertEqual(curve.points[1].falsePositiveRate, 0.25)
        // Nothing called spam: no precision, not 0%.
        XCTAssertNil(curve.points[3].precision)
        XCTAssertEqual(curve.points[3].recall, 0)
        XCTAssertTrue(curve.table.split(separator: "\n")[4].contains("-"))
    }

    func testASetWithoutSpamHasNoRecall() {
        let curve = ThresholdCurve(scores: [(0.7, false), (0.2, false)], thresholds: [0.5])
        XCTAssertNil(curve.points[0].recall)
        XCTAssertEqual(curve.points[0].falsePositiveRate, 0.5)
        XCTAssertEqual(curve.points[0].precision, 0)
    }
}
