import Foundation
import XCTest
@testable import SpamStore

final class StatsTests: StoreTestCase {
    func testDailyStatsCountMessagesSpamAndCorrections() throws {
        let yesterday = fixedNoon - day
        let ids = try store.recordClassified([
            classified("a", label: "spam", at: yesterday),
            classified("b", label: "ham", at: yesterday),
            classified("c", label: "spam", at: fixedNoon),
            classified("d", label: "spam", at: fixedNoon),
            classified("e", label: "ham", at: fixedNoon),
            classified("too old", label: "spam", at: fixedNoon - 10 * day),
        ])
        // A re-score counts once, by its latest prediction.
        try store.recordPrediction(
            PredictionRecord(modelVersion: "2", label: "ham", probability: 0.6, latencyMilliseconds: 1), forMessage: ids[3], at: fixedNoon)
        try store.setLabel("ham", forMessage: ids[0], source: .correction, at: fixedNoon)
        try store.setLabel("ham", forMessage: ids[1], source: .api, at: fixedNoon)  // not a correction
        try store.forgetLabel(forMessage: ids[0], source: .correction, at: fixedNoon)  // withdrawals are not corrections

        let stats = try store.dailyStats(days: 3, now: fixedNoon)
        XCTAssertEqual(stats, [
            DailyStats(day: "2026-03-08", messages: 0, spam: 0, corrections: 0),
            DailyStats(day: "2026-03-09", messages: 2, spam: 1, corrections: 0),
            DailyStats(day: "2026-03-10", messages: 3, spam: 1, corrections: 1),
        ])
        XCTAssertThrowsError(try store.dailyStats(days: 0))
    }

    func testOnlineAccuracyComparesLatestPredictionWithCurrentLabel() throws {
        XCTAssertNil(try store.onlineAccuracy().accuracy)
        let ids = try store.recordClassified([
            classified("right", label: "spam", model: "1"),
            classified("wrong", label: "spam", model: "1"),
            classified("wrong then withdrawn", label: "ham", model: "1"),
            classified("never reviewed", label: "ham", model: "1"),
            classified("other model, right", label: "ham", model: "2"),
        ])
        try store.setLabel("spam", forMessage: ids[0], source: .correction)
        try store.setLabel("ham", forMessage: ids[1], source: .correction)
        try store.setLabel("spam", forMessage: ids[2], source: .correction)
        try store.forgetLabel(forMessage: ids[2], source: .api)
        try store.setLabel("ham", forMessage: ids[4], source: .correction)

        XCTAssertEqual(try store.onlineAccuracy(), OnlineAccuracy(reviewed: 3, wrong: 1))
        XCTAssertEqual(try store.onlineAccuracy().accuracy ?? -1, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try store.onlineAccuracy(modelVersion: "1"), OnlineAccuracy(reviewed: 2, wrong: 1))
        XCTAssertEqual(try store.onlineAccuracy(modelVersion: "2").accuracy, 1)
        XCTAssertEqual(try store.onlineAccuracy(since: Date() + 60).reviewed, 0)
    }

    func testNewLabelCountsSinceTheLastSuccessfulRun() throws {
        let ids = try store.recordClassified((0..<6).map { classified("m\($0)") })
        let t0 = Date(timeIntervalSince1970: 10_000)
        try store.setLabel("spam", forMessage: ids[0], source: .correction, at: t0)
        try store.setLabel("ham", forMessage: ids[1], source: .correction, at: t0)
        XCTAssertEqual(try store.newLabelCountsSinceLastTraining(), LabelCounts(total: 2, byLabel: ["spam": 1, "ham": 1]))

        let run = try store.startTrainingRun(at: t0 + 10)
        try store.finishTrainingRun(run.id, at: t0 + 20)
        let failed = try store.startTrainingRun(at: t0 + 30)
        try store.failTrainingRun(failed.id, error: "out of memory", at: t0 + 40)

        try store.setLabel("spam", forMessage: ids[2], source: .correction, at: t0 + 15)  // during the run: new
        try store.setLabel("spam", forMessage: ids[3], source: .correction, at: t0 + 50)
        try store.setLabel("ham", forMessage: ids[4], source: .correction, at: t0 + 50)
        try store.forgetLabel(forMessage: ids[4], source: .api, at: t0 + 60)  // withdrawn: not counted
        try store.setLabel("ham", forMessage: ids[0], source: .correction, at: t0 + 70)  // relabeled: counts once

        XCTAssertEqual(try store.newLabelCountsSinceLastTraining(), LabelCounts(total: 3, byLabel: ["spam": 2, "ham": 1]))
        XCTAssertEqual(try store.newLabelCounts(since: t0 + 55), LabelCounts(total: 1, byLabel: ["ham": 1]))
    }
}
