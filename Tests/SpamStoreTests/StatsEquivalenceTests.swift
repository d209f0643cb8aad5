import Foundation
import GRDB
import TestSupport
import XCTest
@testable import SpamStore

/// The counter-based stats give what v3's scans gave, on a small store with every kind of write.
final class StatsEquivalenceTests: StoreTestCase {
    func testDailyStatsAndOnlineAccuracyMatchTheScanningQueries() throws {
        var random = SplitMix64(seed: 42)
        let labels = ["spam", "ham", "other"]
        func someTime() -> Date { fixedNoon - Double.random(in: -2 * day...(14 * day), using: &random) }
        func somePrediction(_ model: String) -> PredictionRecord {
            PredictionRecord(modelVersion: model, label: labels.randomElement(using: &random)!, probability: 0.7, latencyMilliseconds: 1)
        }

        var ids: [MessageID] = []
        for round in 0..<20 {
            let batch = (0..<15).map { index in
                ClassifiedMessage(
                    text: index % 4 == 0 ? longText("shared \(index % 3)") : "m \(round) \(index)", receivedAt: someTime(),
                    peer: nil, prediction: somePrediction(round % 3 == 0 ? "2" : "1"))
            }
            if round % 2 == 0 {
                ids += try store.recordClassified(batch)
            } else {
                let reserved = Array(try store.reserveMessageIDs(count: batch.count))
                try store.recordClassified(batch, ids: reserved, storingText: round % 4 != 1)
                ids += reserved
            }
            ids += try store.recordLabeledMessages(
                [LabeledText(text: "labeled \(round)", label: labels[round % 3])], source: .import, at: someTime())
        }
        for _ in 0..<60 {
            let id = ids.randomElement(using: &random)!
            switch Int.random(in: 0..<4, using: &random) {
            case 0: try store.recordPrediction(somePrediction("3"), forMessage: id, at: someTime())
            case 1: try store.forgetLabel(forMessage: id, source: .api, at: someTime())
            default:
                try store.setLabel(
                    labels.randomElement(using: &random)!, forMessage: id,
                    source: Bool.random(using: &random) ? .correction : .api, at: someTime())
            }
        }

        for days in [1, 3, 10, 20, 366] {
            for spamLabel in labels + ["never predicted"] {
                let expected = try store.pool.read { db in
                    try ScanningStatsOracle.dailyStats(days: days, now: fixedNoon, spamLabel: spamLabel, db)
                }
                XCTAssertEqual(
                    try store.dailyStats(days: days, now: fixedNoon, spamLabel: spamLabel), expected,
                    "days \(days), spam label \(spamLabel)")
            }
        }
        for model in [nil, "1", "2", "3"] {
            for since in [nil, fixedNoon - 5 * day] {
                let expected = try store.pool.read { db in
                    try ScanningStatsOracle.onlineAccuracy(modelVersion: model, since: since?.timeIntervalSince1970, db)
                }
                XCTAssertEqual(
                    try store.onlineAccuracy(modelVersion: model, since: since), expected,
                    "model \(model ?? "any"), since \(String(describing: since))")
            }
        }
        XCTAssertGreaterThan(try store.onlineAccuracy().reviewed, 10, "the store exercises the comparison")
    }

    func testDaysAreUTCCalendarDays() {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for number in Int64(-800)...Int64(80_000) where number % 7 == 0 || (19_000...21_000).contains(number) {
            let seconds = Double(number) * 86_400 + 43_200
            XCTAssertEqual(UTCDay(containing: seconds).isoDate, formatter.string(from: Date(timeIntervalSince1970: seconds)))
            if number == 0 { XCTAssertEqual(UTCDay(containing: seconds).isoDate, "1970-01-01") }
        }
        XCTAssertEqual(UTCDay(containing: -0.5).number, -1)
        XCTAssertEqual(UTCDay(containing: 86_400).number, 1)
        XCTAssertEqual(UTCDay(containing: fixedNoon.timeIntervalSince1970).isoDate, "2026-03-10")
    }

    /// The SQL day of a time (used to backfill the counters) is the Swift one.
    func testSQLDayMatchesSwiftDay() throws {
        try store.pool.read { db in
            for seconds in [-86_401.0, -86_400, -1, -0.25, 0, 0.25, 86_399.999, 86_400, 1_773_144_000, 1_773_187_199.5] {
                let sqlDay = try Int64.fetchOne(db, sql: "SELECT \(UTCDay.sql("?"))", arguments: [seconds, seconds, seconds])
                XCTAssertEqual(sqlDay, UTCDay(containing: seconds).number, "\(seconds)")
            }
        }
    }
}
