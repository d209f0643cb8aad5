import Foundation
import Logging
import SiftDaemon
import SpamStore
import TestSupport
import XCTest

/// One trainer for the fleet (issue 19): a run another node started stands while that node
/// renews its heartbeat, and is failed by the next node that wants to start one once the
/// heartbeat is older than the lease (the node died or lost the store).
final class RunLeaseTests: XCTestCase {
    private let logger = Logger(label: "test")
    private let lease = RunLease(node: "c", seconds: 60)

    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    private func store() throws -> Store { try Store(path: directory.path("sift.sqlite")) }

    func testAnotherNodesRunStandsWhileItsHeartbeatIsWithinTheLease() throws {
        let store = try store()
        let t0 = Date()
        let run = try store.startTrainingRun(trigger: "schedule", exclusive: true, node: "a", at: t0)

        XCTAssertFalse(AbandonedRuns.failIfAbandoned(run.id, store: store, lease: lease, logger: logger, now: t0.addingTimeInterval(59)))
        XCTAssertEqual(try store.trainingRun(run.id)?.status, .running)

        // a renews its heartbeat at t0+50: at t0+100 the lease (60 s) still holds.
        try store.updateTrainingRun(run.id, pid: nil, progress: "step 10", at: t0.addingTimeInterval(50))
        XCTAssertFalse(AbandonedRuns.failIfAbandoned(run.id, store: store, lease: lease, logger: logger, now: t0.addingTimeInterval(100)))
        XCTAssertEqual(try store.trainingRun(run.id)?.status, .running)
    }

    func testAnotherNodesRunWhoseHeartbeatStoppedIsFailedAndTheNextRunStarts() throws {
        let store = try store()
        let t0 = Date().addingTimeInterval(-120)
        let run = try store.startTrainingRun(trigger: "schedule", exclusive: true, node: "a", at: t0)
        // A pid on node a means nothing on node c: the lease alone decides.
        try store.updateTrainingRun(run.id, pid: getpid(), progress: nil, at: t0)

        XCTAssertTrue(AbandonedRuns.failIfAbandoned(run.id, store: store, lease: lease, logger: logger, now: t0.addingTimeInterval(61)))
        let failed = try XCTUnwrap(try store.trainingRun(run.id))
        XCTAssertEqual(failed.status, .failed)
        XCTAssertEqual(failed.error?.contains("node a stopped renewing its lease"), true, "\(failed.error ?? "-")")

        let next = try AbandonedRuns.startExclusive(trigger: "schedule", store: store, lease: lease, logger: logger)
        XCTAssertEqual(next.node, "c")
        XCTAssertNotEqual(next.id, run.id)
    }

    func testARunStartedOnAnotherNodeBlocksANewRunWhileItsLeaseHolds() throws {
        let store = try store()
        let run = try store.startTrainingRun(trigger: "schedule", exclusive: true, node: "a", at: Date())
        XCTAssertThrowsError(try AbandonedRuns.startExclusive(trigger: "schedule", store: store, lease: lease, logger: logger)) { error in
            guard case StoreError.trainingRunInProgress(let id) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(id, run.id)
        }
    }
}
