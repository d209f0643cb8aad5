import Foundation
import GPT2
import SiftDaemon
import SpamStore
import XCTest

/// kill -9 of the trainer mid-run, and of the daemon at several points of a run (including while
/// the trainer scores and promotes): the store stays consistent, the active model loads, and
/// the daemon serves after a restart.
final class RetrainCrashTests: XCTestCase {
    func testKillingTheTrainerFailsTheRunAndChangesNothing() throws {
        let fixture = try RetrainFixture(retrain: "")
        try fixture.coldStart()
        let siftd = try fixture.startDaemon()
        let client = try fixture.client()
        let store = try fixture.openStore()

        let run = try XCTUnwrap(try client.call(["op": "retrain"])["run_id"]?.intValue)
        var pid: Int32?
        XCTAssertTrue(RetrainFixture.wait {
            let current = try store.trainingRun(run)
            pid = current?.pid
            return pid != nil && (current?.progress?.contains("epoch") ?? false)
        }, "the trainer reports its pid and epochs")
        XCTAssertEqual(try client.call(["op": "rollback"])["error"]?["code"], "retrain_running", "no rollback under a running gate")
        kill(try XCTUnwrap(pid), SIGKILL)

        XCTAssertTrue(RetrainFixture.wait { try store.trainingRun(run)?.status == .failed })
        let failed = try XCTUnwrap(try store.trainingRun(run))
        XCTAssertTrue(failed.error?.contains("signal 9") ?? false, failed.error ?? "")
        XCTAssertEqual(try store.activeModel()?.version, "r1")
        XCTAssertNil(try store.model(version: RetrainJob.version(of: run)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.directory.file("state/models/\(RetrainJob.version(of: run))")))
        XCTAssertEqual(try client.call(["op": "classify", "text": "still there?"])["model"], "r1")

        // The next run is not blocked by the dead one.
        let next = try client.call(["op": "retrain", "wait": true])
        XCTAssertEqual(next["status"], "succeeded", "\(next)")
        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
    }

    func testKillingTheDaemonDuringARunLeavesAConsistentStoreAndAServableModel() throws {
        let fixture = try RetrainFixture(retrain: "")
        try fixture.coldStart()
        // Kill points: as the run starts, during the epochs, and from scoring on (the promotion).
        for killPoint in ["prefix cache", "epoch", "scoring"] {
            let siftd = try fixture.startDaemon()
            let client = try fixture.client()
            let store = try fixture.openStore()
            for text in fixture.hams(0..<30).map(RetrainFixture.newKindSpam) {
                _ = try client.call(["op": "label", "text": .string(text), "label": "spam"])
            }
            let run = try XCTUnwrap(try client.call(["op": "retrain"])["run_id"]?.intValue)
            RetrainFixture.wait(every: 1_000) {
                let current = try store.trainingRun(run)
                return current?.status != .running || (current?.progress?.contains(killPoint) ?? false)
            }
            let atKill = try store.trainingRun(run)
            if killPoint != "scoring" {  // scoring and promotion take milliseconds: the kill may land after them
                XCTAssertEqual(atKill?.status, .running, "killed mid-run at \(killPoint)")
                XCTAssertTrue(atKill?.progress?.contains(killPoint) ?? false, atKill?.progress ?? "")
            }
            siftd.signal(SIGKILL)
            XCTAssertEqual(siftd.waitForExit(), 128 + SIGKILL)
            print("killed siftd at \(killPoint): run \(run) \(atKill?.status.rawValue ?? "?") (\(atKill?.progress ?? "-")); afterwards \(try store.trainingRun(run)?.status.rawValue ?? "?")")
            // The orphaned trainer notices and stops (or has committed already).
            XCTAssertTrue(RetrainFixture.wait(timeout: 30) { try store.trainingRun(run)?.status != .running || !Self.isAlive(try store.trainingRun(run)?.pid) })

            try assertConsistent(store, fixture: fixture, context: killPoint, directories: false)
            let restarted = try fixture.startDaemon()
            XCTAssertNotEqual(try store.trainingRun(run)?.status, .running, "a restart fails what was interrupted")
            let serving = try XCTUnwrap(try fixture.client().call(["op": "health"])["model"]?.stringValue)
            XCTAssertEqual(serving, try store.activeModel()?.version, killPoint)
            try assertConsistent(store, fixture: fixture, context: killPoint, directories: true)
            restarted.signal(SIGTERM)
            XCTAssertEqual(restarted.waitForExit(), 0, restarted.log)
            try store.close()
        }
    }

    /// One active model whose file loads on the base; every directory under models/ is registered.
    /// `directories`: also that no unregistered model directory is left (what a restart cleans up).
    private func assertConsistent(_ store: Store, fixture: RetrainFixture, context: String, directories: Bool) throws {
        let models = try store.models()
        XCTAssertEqual(models.filter { $0.status == .active }.count, 1, context)
        let active = try XCTUnwrap(try store.activeModel(), context)
        XCTAssertNoThrow(
            try Classifier(baseDirectory: URL(fileURLWithPath: try DaemonFixture.modelDirectory()),
                           classifierFile: ClassifierLocation.file(ofModelAt: active.path), pooling: nil), context)
        guard directories else { return }
        let directory = fixture.directory.file("state/models")
        let registered = Set(models.map { URL(fileURLWithPath: $0.path).lastPathComponent })
        let running = try store.runningTrainingRun().map { RetrainJob.version(of: $0.id) }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != running {
            XCTAssertTrue(registered.contains(name), "\(context): models/\(name) is not registered")
        }
    }

    private static func isAlive(_ pid: Int32?) -> Bool {
        guard let pid else { return false }
        return kill(pid, 0) == 0
    }
}
