import Foundation
import XCTest
import PostgresNIO
import SiftBench
@testable import SpamStorePostgres
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

final class PostgresStoreBenchmarkTests: XCTestCase {
    /// Needs SIFT_TEST_POSTGRES_URL; without it, a failure under CI=true and a skip elsewhere.
    func testSmallRunOnPostgresReportsSaneFiguresAndDropsItsDatabase() throws {
        guard let value = ProcessInfo.processInfo.environment["SIFT_TEST_POSTGRES_URL"], !value.isEmpty else {
            let message = "SIFT_TEST_POSTGRES_URL is not set: run `export SIFT_TEST_POSTGRES_URL=$(scripts/postgres-throwaway start /tmp/sift-pg)` first"
            if SharedFixtures.isCI { return XCTFail(message) }
            throw XCTSkip("skipped: \(message)")
        }
        let server = try PostgresURL(value)
        let (result, version) = try StoreBenchmark.run(postgres: server, predictions: 500, batchSize: 64, labels: 20)
        XCTAssertEqual(result.predictions, 500)
        XCTAssertGreaterThan(result.predictionsPerSecond, 0)
        XCTAssertGreaterThan(result.labelLatencyP50Milliseconds, 0)
        XCTAssertLessThanOrEqual(result.labelLatencyP50Milliseconds, result.labelLatencyP99Milliseconds)
        XCTAssertLessThanOrEqual(result.labelLatencyP99Milliseconds, result.labelLatencyMaxMilliseconds)
        XCTAssertFalse(version.isEmpty)
        // The scratch database is gone: nothing named sift_bench_* is left in the cluster.
        let probe = try PostgresScratchDatabase(server: server, prefix: "sift_probe")
        defer { try? probe.drop() }
        let store = try PostgresStore(url: probe.url)
        defer { store.close() }
        let left = try store.connections.withConnection { connection in
            try store.connections.run("SELECT datname FROM pg_database WHERE datname LIKE 'sift_bench_%'", on: connection)
                .map { try $0.decode(String.self) }
        }
        XCTAssertEqual(left, [])
    }
}
