import Foundation
import XCTest
@testable import SpamStore

final class TrainingRunTests: StoreTestCase {
    func testRunLifecycle() throws {
        let counts = TrainingDataCounts(trainingExamples: 900, holdoutExamples: 100)
        let started = try store.startTrainingRun(dataCounts: counts, at: Date(timeIntervalSince1970: 1_000))
        XCTAssertEqual(started.status, .running)
        XCTAssertEqual(try store.latestTrainingRun(), started)

        let finished = try store.finishTrainingRun(
            started.id, metricsJSON: #"{"holdout_accuracy":0.97}"#, at: Date(timeIntervalSince1970: 2_000))
        XCTAssertEqual(finished.status, .succeeded)
        XCTAssertEqual(finished.dataCounts, counts, "counts from the start are kept")
        XCTAssertEqual(try store.trainingRun(started.id), finished)

        let second = try store.startTrainingRun(at: Date(timeIntervalSince1970: 3_000))
        XCTAssertNil(second.dataCounts)
        let failed = try store.failTrainingRun(
            second.id, error: "loss is NaN", dataCounts: TrainingDataCounts(trainingExamples: 5, holdoutExamples: 1),
            at: Date(timeIntervalSince1970: 3_500))
        XCTAssertEqual(failed.error, "loss is NaN")
        XCTAssertEqual(failed.dataCounts?.trainingExamples, 5)

        XCTAssertEqual(try store.trainingRuns().map(\.id), [second.id, started.id])
        XCTAssertEqual(try store.latestTrainingRun()?.status, .failed)
        XCTAssertEqual(try store.latestSucceededTrainingRun()?.id, started.id)
    }

    func testEndingARunTwiceOrAnUnknownRunFails() throws {
        let run = try store.startTrainingRun()
        try store.finishTrainingRun(run.id)
        XCTAssertThrowsError(try store.failTrainingRun(run.id, error: "late")) {
            XCTAssertEqual($0 as? StoreError, .trainingRunNotRunning(run.id, status: .succeeded))
        }
        XCTAssertThrowsError(try store.finishTrainingRun(404)) { XCTAssertEqual($0 as? StoreError, .unknownTrainingRun(404)) }
        let other = try store.startTrainingRun()
        XCTAssertThrowsError(try store.finishTrainingRun(other.id, metricsJSON: "not json"))
        XCTAssertEqual(try store.trainingRun(other.id)?.status, .running)
    }

    func testInterruptedRunsAreFailedAtStartup() throws {
        let a = try store.startTrainingRun()
        let b = try store.startTrainingRun()
        try store.finishTrainingRun(b.id)
        XCTAssertEqual(try store.failInterruptedTrainingRuns(), 1)
        let run = try XCTUnwrap(try store.trainingRun(a.id))
        XCTAssertEqual(run.status, .failed)
        XCTAssertNotNil(run.finishedAt)
        XCTAssertTrue(run.error?.contains("interrupted") ?? false)
        XCTAssertEqual(try store.trainingRun(b.id)?.status, .succeeded)
    }
}
