import Foundation
import GRDB
import XCTest
@testable import SpamStore

/// The daemon runs these queries on every `stats` request: none may read every message or
/// prediction. Checked on SQLite's plans, without statistics (what a store in the field has)
/// and after ANALYZE on a store with many predictions and few labels.
final class StatsCostTests: StoreTestCase {
    /// Each query `stats` runs, with arguments of the right shape.
    private var statsQueries: [(name: String, sql: String, arguments: StatementArguments)] {
        [
            ("daily messages", DailyStatsSQL.messages, [20_000, 20_365]),
            ("daily spam", DailyStatsSQL.latestPredictions, [20_000, 20_365, "spam"]),
            ("daily corrections", DailyStatsSQL.corrections, [1_700_000_000.0, 1_800_000_000.0]),
            ("online accuracy", OnlineAccuracySQL.reviewedAndWrong, [nil, nil]),
            ("online accuracy, one model since", OnlineAccuracySQL.reviewedAndWrong, ["1", 1_700_000_000.0]),
            ("new label counts", Store.newLabelCountsSQL, [1_700_000_000.0]),
            ("latest successful run", "SELECT * FROM training_runs WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1", []),
        ]
    }

    func testStatsQueriesScanNeitherMessagesNorPredictions() throws {
        try assertNoFullScans()
    }

    func testStillTrueWithStatisticsOnABigStoreWithFewLabels() throws {
        let ids = try store.recordClassified((0..<3_000).map { classified("m\($0)", label: $0 % 3 == 0 ? "spam" : "ham") })
        for id in ids.prefix(30) { try store.setLabel("spam", forMessage: id, source: .correction) }
        try store.pool.write { db in try db.execute(sql: "ANALYZE") }
        try assertNoFullScans()
    }

    /// Every full scan must be of labels (few), training runs (a handful) or the daily counters
    /// (a row per day or day and label; SQLite scans them when statistics say they are tiny);
    /// a scan of anything else fails.
    private func assertNoFullScans(file: StaticString = #filePath, line: UInt = #line) throws {
        try store.pool.read { db in
            for query in statsQueries {
                let details = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments)
                    .map { $0["detail"] as String }
                print("plan of \(query.name): \(details.joined(separator: " | "))")
                for detail in details where detail.hasPrefix("SCAN ") {
                    let target = detail.dropFirst("SCAN ".count).split(separator: " ").first.map(String.init) ?? ""
                    XCTAssertTrue(
                        ["labels", "l", "training_runs", "daily_message_counts", "daily_prediction_counts"].contains(target),
                        "\(query.name) scans \(target): \(details)", file: file, line: line)
                }
                XCTAssertFalse(
                    details.contains { $0.hasPrefix("SCAN messages") || $0.hasPrefix("SCAN predictions") },
                    "\(query.name): \(details)", file: file, line: line)
            }
        }
    }
}
