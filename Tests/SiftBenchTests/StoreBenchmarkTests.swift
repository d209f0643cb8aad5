import Foundation
import XCTest
import SiftBench
import TestSupport

final class StoreBenchmarkTests: XCTestCase {
    func testSmallRunReportsSaneFiguresAndCleansUp() throws {
        let directory = try TemporaryDirectory()
        let result = try StoreBenchmark.run(in: directory.url, predictions: 500, batchSize: 64, labels: 20)
        XCTAssertEqual(result.predictions, 500)
        XCTAssertGreaterThan(result.predictionsPerSecond, 0)
        XCTAssertGreaterThan(result.labelLatencyP50Milliseconds, 0)
        XCTAssertLessThanOrEqual(result.labelLatencyP50Milliseconds, result.labelLatencyP99Milliseconds)
        XCTAssertLessThanOrEqual(result.labelLatencyP99Milliseconds, result.labelLatencyMaxMilliseconds)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }
}
