import Foundation
import Synchronization
import TestSupport
import XCTest
@testable import SpamStore
@testable import SpamStorePostgres

/// What only a shared store has to get right: nodes racing on the one database.
final class PostgresFleetTests: XCTestCase {
    private var database: PostgresTestDatabase!

    override func setUpWithError() throws {
        database = try PostgresTestDatabase()
    }

    override func tearDownWithError() throws {
        database?.drop()
        database = nil
    }

    func testExclusiveStartsRacingFromTwoNodesStartOneRun() throws {
        let nodes = try (0..<2).map { _ in try PostgresStore(url: database.url) }
        defer { nodes.forEach { $0.close() } }
        let started = Mutex<[TrainingRun]>([])
        let refusedBy = Mutex<[TrainingRunID]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            do {
                let run = try nodes[worker % 2].startTrainingRun(
                    dataCounts: nil, trigger: "schedule", exclusive: true, node: "node-\(worker % 2)", at: fixedNoon)
                started.withLock { $0.append(run) }
            } catch let StoreError.trainingRunInProgress(id) {
                refusedBy.withLock { $0.append(id) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let winners = started.withLock { $0 }
        XCTAssertEqual(winners.count, 1)
        XCTAssertEqual(refusedBy.withLock { $0 }, Array(repeating: winners[0].id, count: 7))
        XCTAssertEqual(try nodes[1].trainingRuns(limit: 100).map(\.id), winners.map(\.id))
    }

    func testPromotionsRacingFromTwoNodesLeaveOneActiveModel() throws {
        let files = try TemporaryDirectory()
        let nodes = try (0..<2).map { _ in try PostgresStore(url: database.url) }
        defer { nodes.forEach { $0.close() } }
        var models: [ModelRecord] = []
        var runs: [TrainingRun] = []
        for index in 0..<6 {
            let path = files.path("p\(index)")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data("model \(index)".utf8).write(to: URL(fileURLWithPath: path + "/classifier.bin"))
            models.append(ModelRecord(version: "p\(index)", path: path, baseModelSHA256: String(repeating: "ab", count: 32)))
            runs.append(try nodes[0].startTrainingRun(dataCounts: nil, trigger: nil, exclusive: false, node: nil, at: fixedNoon))
        }
        let (candidates, running) = (models, runs)
        let retired = Mutex<[String?]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { index in
            do {
                let done = try nodes[index % 2].completeTrainingRun(
                    running[index].id, model: candidates[index], promote: true, dataCounts: nil, metricsJSON: nil, at: fixedNoon + 1)
                retired.withLock { $0.append(done.retired) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let all = try nodes[1].models()
        XCTAssertEqual(all.filter { $0.status == .active }.count, 1)
        XCTAssertEqual(all.filter { $0.status == .retired }.count, 5)
        // Each promotion retired the one before it: every version but the last was retired once.
        let retiredVersions = retired.withLock { $0 }.compactMap { $0 }
        XCTAssertEqual(retiredVersions.count, 5)
        XCTAssertEqual(Set(retiredVersions).count, 5)
        XCTAssertFalse(retiredVersions.contains(try XCTUnwrap(try nodes[0].activeModel()).version))
    }
}
