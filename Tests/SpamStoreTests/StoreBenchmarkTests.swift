import Foundation
import XCTest
@testable import SpamStore

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

    /// GRDB is linked against the system's libsqlite3 (libsqlite3-dev), not a copy of its own:
    /// the version SQLite reports at run time is the one pkg-config knows.
    func testSQLiteIsTheSystemOne() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pkg-config", "--modversion", "sqlite3"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "pkg-config sqlite3 failed: scripts/install-deps installs libsqlite3-dev and pkg-config")
        let system = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try StoreInfo.sqliteVersion(), system)
    }
}
