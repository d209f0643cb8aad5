import Foundation
import XCTest
@testable import SpamStore

/// What the retraining loop needs from the store: one run at a time, progress, the atomic end
/// of a run with its model, rollback and pruning.
final class RetrainingRegistryTests: StoreTestCase {
    let baseHash = String(repeating: "cd", count: 32)

    private func model(_ version: String) -> ModelRecord {
        ModelRecord(version: version, path: "/models/\(version)", baseModelSHA256: baseHash, metricsJSON: #"{"promoted":true}"#)
    }

    func testOnlyOneExclusiveRunAtATimeAndProgressIsRecorded() throws {
        let run = try store.startTrainingRun(trigger: "schedule", exclusive: true)
        XCTAssertThrowsError(try store.startTrainingRun(trigger: "request", exclusive: true)) {
            XCTAssertEqual($0 as? StoreError, .trainingRunInProgress(run.id))
        }
        try store.updateTrainingRun(run.id, pid: 4242)
        try store.updateTrainingRun(run.id, progress: "epoch 1/3")
        let running = try XCTUnwrap(try store.runningTrainingRun())
        XCTAssertEqual(running.pid, 4242, "progress alone keeps the pid")
        XCTAssertEqual(running.progress, "epoch 1/3")
        XCTAssertEqual(running.trigger, "schedule")

        try store.failTrainingRun(run.id, error: "killed")
        try store.updateTrainingRun(run.id, progress: "late")
        XCTAssertEqual(try store.trainingRun(run.id)?.progress, "epoch 1/3", "an ended run keeps its last progress")
        XCTAssertNoThrow(try store.startTrainingRun(trigger: "request", exclusive: true))
    }

    func testCompletingARunPromotesOrRejectsInOneStep() throws {
        let first = try store.startTrainingRun()
        let promoted = try store.completeTrainingRun(first.id, model: model("r1"), promote: true, dataCounts: nil, metricsJSON: "{}")
        XCTAssertNil(promoted.retired)
        XCTAssertEqual(try store.activeModel()?.version, "r1")
        XCTAssertEqual(try store.trainingRun(first.id)?.status, .succeeded)
        XCTAssertEqual(try store.model(version: "r1")?.trainingRunID, first.id)

        let second = try store.startTrainingRun()
        XCTAssertEqual(try store.completeTrainingRun(second.id, model: model("r2"), promote: true, dataCounts: nil, metricsJSON: nil).retired, "r1")
        XCTAssertEqual(try store.model(version: "r1")?.status, .retired)

        let third = try store.startTrainingRun()
        _ = try store.completeTrainingRun(third.id, model: model("r3"), promote: false, dataCounts: nil, metricsJSON: nil)
        XCTAssertEqual(try store.model(version: "r3")?.status, .rejected)
        XCTAssertEqual(try store.activeModel()?.version, "r2")
    }

    func testARunThatNoLongerRunsCannotPromote() throws {
        let run = try store.startTrainingRun()
        _ = try store.completeTrainingRun(run.id, model: model("r1"), promote: true, dataCounts: nil, metricsJSON: nil)
        let late = try store.startTrainingRun()
        try store.failInterruptedTrainingRuns()  // what a restarted daemon does
        XCTAssertThrowsError(try store.completeTrainingRun(late.id, model: model("r2"), promote: true, dataCounts: nil, metricsJSON: nil)) {
            XCTAssertEqual($0 as? StoreError, .trainingRunNotRunning(late.id, status: .failed))
        }
        XCTAssertNil(try store.model(version: "r2"), "nothing registered")
        XCTAssertEqual(try store.activeModel()?.version, "r1")
    }

    func testRollbackAndPruning() throws {
        for (index, version) in ["r1", "r2", "r3", "r4"].enumerated() {
            let run = try store.startTrainingRun()
            _ = try store.completeTrainingRun(run.id, model: model(version), promote: version != "r4", dataCounts: nil, metricsJSON: nil,
                                              at: Date(timeIntervalSince1970: Double(100 * (index + 1))))
        }
        // r3 active, r2 and r1 retired, r4 rejected.
        let back = try store.activateModel()
        XCTAssertEqual(back.model.version, "r2", "the most recently retired")
        XCTAssertEqual(back.retired, "r3")
        XCTAssertEqual(try store.activateModel("r3").model.version, "r3")
        XCTAssertThrowsError(try store.activateModel("r9")) { XCTAssertEqual($0 as? StoreError, .unknownModel(version: "r9")) }

        XCTAssertEqual(try store.modelsToPrune(keep: 2).map(\.version), ["r1"], "newest first kept: r4, r2")
        XCTAssertEqual(try store.modelsToPrune(keep: 0).map(\.version), ["r4", "r2", "r1"], "never the active r3")
        try store.markPruned("r1")
        XCTAssertNotNil(try store.model(version: "r1")?.prunedAt)
        XCTAssertEqual(try store.modelsToPrune(keep: 2), [], "a pruned model is not pruned twice")
        XCTAssertThrowsError(try store.activateModel("r1")) { XCTAssertEqual($0 as? StoreError, .modelPruned(version: "r1")) }
        XCTAssertThrowsError(try store.markPruned("r3"), "the active model keeps its files")
        XCTAssertEqual(try store.activeModel()?.version, "r3")
    }

    func testRollbackWithNothingEarlierIsAClearError() throws {
        let run = try store.startTrainingRun()
        _ = try store.completeTrainingRun(run.id, model: model("r1"), promote: true, dataCounts: nil, metricsJSON: nil)
        XCTAssertThrowsError(try store.activateModel()) { XCTAssertTrue("\($0)".contains("no earlier model")) }
        XCTAssertEqual(try store.activeModel()?.version, "r1")
    }
}
