import Foundation
import TestSupport
import XCTest

/// `sift bench learning --json` end to end, on the real data: one JSON object whose figures come
/// from a real cold start, labels sent to a real siftd, and a real retrain judged by the gate.
final class BenchLearningTests: XCTestCase {
    func testTheLearningBenchmarkRunsTheScenarioAndPrintsOneJSONObject() throws {
        let shared = try SharedFixtures.require("data/spamassassin-public-corpus/spam")
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        let result = try BuiltExecutable.run(sift, ["bench", "learning", "--json", "--labels", "100", "--shared", shared.path])
        XCTAssertEqual(result.status, 0, result.errors)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], result.output)
        XCTAssertEqual(object["labels"] as? Int, 100)
        XCTAssertEqual(object["new_kind_test_count"] as? Int, 400, "the last 200 mails of each class")
        XCTAssertGreaterThan(object["seed_test_count"] as? Int ?? 0, 900, "the SMS texts of the 20% hash holdout")
        XCTAssertEqual(object["models_before"] as? [String], ["r1"])
        XCTAssertEqual(object["retrain_status"] as? String, "succeeded", "\(object)")
        XCTAssertTrue(["promote", "reject", "inconclusive"].contains(object["decision"] as? String ?? ""), "\(object)")
        let report = try XCTUnwrap(object["report"] as? [String: Any])
        XCTAssertNotNil((report["gate"] as? [String: Any])?["seed"], "the gate's paired comparison is in the report")
        XCTAssertEqual((object["checkpoint_sha256"] as? String)?.count, 64)
        for key in ["new_kind_accuracy_before", "new_kind_accuracy_after", "seed_accuracy_before", "seed_accuracy_after"] {
            let value = try XCTUnwrap(object[key] as? Double, key)
            XCTAssertTrue((0...1).contains(value), "\(key) \(value)")
        }
        XCTAssertEqual(Set((object["goals"] as? [String: Bool] ?? [:]).keys),
                       ["promoted", "new_kind_accuracy", "seed_accuracy_drop", "total_seconds"])
    }
}
