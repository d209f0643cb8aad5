import Foundation
import SiftDaemon
import SpamStore
import XCTest

/// The retraining loop end to end, with the real `siftd` and `siftd train`: a kind of spam the
/// first model misses arrives as corrections; a retrain promotes a model that catches it while
/// the seed holdout stays within tolerance; classification goes on during training; a poisoned
/// retrain is rejected; rollback and pruning.
final class RetrainScenarioTests: XCTestCase {
    func testNewKindOfSpamIsLearnedFromCorrectionsAndAPoisonedCandidateIsNotPromoted() throws {
        let fixture = try RetrainFixture()
        try fixture.coldStart()
        let siftd = try fixture.startDaemon()
        let client = try fixture.client()
        let store = try fixture.openStore()

        // Held out by the test: never sent as corrections.
        let unseen = fixture.hams(300..<400).map(RetrainFixture.newKindSpam)
        func catchRate() throws -> (rate: Double, model: String) {
            var caught = 0
            var model = ""
            for text in unseen {
                let reply = try client.call(["op": "classify", "text": .string(text)])
                if reply["label"] == "spam" { caught += 1 }
                model = reply["model"]?.stringValue ?? "?"
            }
            return (Double(caught) / Double(unseen.count), model)
        }
        let before = try catchRate()
        XCTAssertEqual(before.model, "r1")
        XCTAssertLessThan(before.rate, 0.5, "the scenario needs a kind of spam the first model misses")

        // The new kind arrives as corrections of classified messages.
        for text in fixture.hams(0..<80).map(RetrainFixture.newKindSpam) {
            let classified = try client.call(["op": "classify", "text": .string(text)])
            let id = try XCTUnwrap(classified["message_id"]?.intValue)
            XCTAssertEqual(try client.call(["op": "correct", "message_id": .int(id), "label": "spam"])["ok"], true)
        }

        // Retrain while classifying: replies keep coming while the trainer runs.
        let started = try client.call(["op": "retrain"])
        let run = try XCTUnwrap(started["run_id"]?.intValue, "\(started)")
        let refused = try client.call(["op": "retrain"])
        XCTAssertEqual(refused["error"]?["code"], "retrain_running", "one run at a time")
        var answeredDuringTraining = 0
        var latencies: [Double] = []
        while try store.trainingRun(run)?.status == .running {
            let sent = Date()
            let reply = try client.call(["op": "classify", "text": "Are we still on for lunch?"])
            latencies.append(Date().timeIntervalSince(sent))
            XCTAssertNotNil(reply["label"], "\(reply)")
            if try store.trainingRun(run)?.status == .running { answeredDuringTraining += 1 }
        }
        XCTAssertGreaterThan(answeredDuringTraining, 0, "classification must go on while the trainer runs")
        latencies.sort()
        // Bounded: generous for the machine, far below the seconds a training run takes.
        XCTAssertLessThan(latencies.last ?? 0, 10, "no classify request waits for the training")
        print("classify during training: \(latencies.count) requests, p50 \(latencies[latencies.count / 2] * 1000) ms, max \((latencies.last ?? 0) * 1000) ms")

        let ended = try XCTUnwrap(try store.trainingRun(run))
        XCTAssertEqual(ended.status, .succeeded, ended.error ?? "")
        XCTAssertEqual(ended.trigger, "request")
        let report = try XCTUnwrap(ended.metricsJSON.flatMap(RetrainReport.decode))
        XCTAssertEqual(report.warmStart, "r1")
        XCTAssertTrue(report.promoted, "\(report.reasons)")
        XCTAssertEqual(report.decision, .promote)
        let seedGate = try XCTUnwrap(report.gate?["seed"])
        let seedBefore = seedGate.activeBalancedAccuracy, seedAfter = seedGate.candidateBalancedAccuracy
        XCTAssertGreaterThanOrEqual(seedAfter, seedBefore - 0.01, "the seed holdout within the gate's tolerance of 1 point")
        XCTAssertGreaterThan(try XCTUnwrap(report.gate?["labels"]).low, 0, "the labels holdout shows the candidate better")
        XCTAssertTrue(RetrainFixture.wait(timeout: 60) { (try? client.call(["op": "health"]))?["model"] == "r2" }, "r2 is swapped in")

        let after = try catchRate()
        print("unseen new-kind spam caught: r1 \(before.rate), r2 \(after.rate); seed holdout balanced accuracy \(seedBefore) -> \(seedAfter)")
        XCTAssertEqual(after.model, "r2")
        XCTAssertGreaterThan(after.rate, before.rate + 0.4, "r2 catches the unseen new-kind spam: \(before.rate) -> \(after.rate)")

        // Rollback, both ways.
        XCTAssertEqual(try client.call(["op": "rollback"])["active"], "r1")
        XCTAssertEqual(try client.call(["op": "health"])["model"], "r1")
        XCTAssertEqual(try client.call(["op": "rollback", "version": "r2"])["active"], "r2")
        XCTAssertEqual(try client.call(["op": "rollback", "version": "r9"])["error"]?["code"], "unknown_model")

        // Poison: spam labeled ham. Capped at half the run and outweighed by the replay, it does little;
        // whatever it does, the gate does not promote it (rejected when the seed holdout shows damage,
        // inconclusive when nothing shows the candidate better).
        for text in fixture.spams(0..<300) {
            _ = try client.call(["op": "label", "text": .string(text), "label": "ham"])
        }
        let poisoned = try client.call(["op": "retrain", "wait": true])
        XCTAssertEqual(poisoned["status"], "succeeded", "\(poisoned)")
        XCTAssertEqual(poisoned["promoted"], false, "\(poisoned)")
        let poisonedDecision = try XCTUnwrap(poisoned["decision"]?.stringValue)
        XCTAssertTrue(["reject", "inconclusive"].contains(poisonedDecision), "\(poisoned)")
        XCTAssertEqual(poisoned["serving"], "r2")
        let rejected = try XCTUnwrap(try store.model(version: "r3"))
        XCTAssertEqual(rejected.status, .rejected)
        XCTAssertNotNil(rejected.metricsJSON.flatMap(RetrainReport.decode)?.candidate["seed"], "kept with its scores")
        XCTAssertEqual(try store.activeModel()?.version, "r2")

        // keep_models 1: besides the active r2, only the newest (r3) keeps its files; r1 is pruned.
        let r1 = try XCTUnwrap(try store.model(version: "r1"))
        XCTAssertNotNil(r1.prunedAt)
        XCTAssertFalse(FileManager.default.fileExists(atPath: r1.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(try store.model(version: "r2")).path))
        XCTAssertEqual(try client.call(["op": "rollback", "version": "r1"])["error"]?["code"], "unknown_model")

        let exposition = try XCTUnwrap(try client.call(["op": "metrics"])["metrics"]?.stringValue)
        XCTAssertTrue(exposition.contains(#"sift_retrain_runs_total{result="promoted"} 1"#), exposition)
        let notPromoted = poisonedDecision == "reject" ? "rejected" : "inconclusive"
        XCTAssertTrue(exposition.contains("sift_retrain_runs_total{result=\"\(notPromoted)\"} 1"), exposition)
        XCTAssertTrue(exposition.contains("sift_model_swaps_total 3"), "a promotion and two rollbacks: \(exposition)")

        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
        XCTAssertTrue(siftd.log.contains("retrain: promoted") || siftd.log.contains("retrain: now serving"), "retrains are logged at info")
        // The prefix cache, a run's longest step, is logged with its count as it starts and ends.
        XCTAssertTrue(siftd.log.contains("retrain: prefix cache 0/"), siftd.log)
        XCTAssertTrue(siftd.log.contains("retrain: prefix cache done: "), siftd.log)
    }

    func testWithoutAnyClassifierTheDaemonSaysSoAndTheTrainerNeedsData() throws {
        let fixture = try RetrainFixture()
        let siftd = try SiftdProcess(config: fixture.config, directory: fixture.directory)
        XCTAssertEqual(siftd.waitForExit(), 78, siftd.log)
        XCTAssertTrue(siftd.log.contains("no classifier") && siftd.log.contains("siftd train"), siftd.log)

        // No seed data and no labels: nothing to train a first classifier from.
        let noSeed = fixture.config.replacingOccurrences(of: "seed_data:", with: "# seed_data:")
        try noSeed.write(toFile: fixture.directory.file("siftd.yaml"), atomically: true, encoding: .utf8)
        let empty = try fixture.trainByHand()
        XCTAssertEqual(empty.status, 1)
        XCTAssertTrue(empty.errors.contains("no classifier to start from"), empty.errors)
        let store = try fixture.openStore()
        XCTAssertEqual(try store.latestTrainingRun()?.status, .failed, "the failed run is recorded")
        XCTAssertEqual(try store.latestTrainingRun()?.trigger, "manual")

        // A run in progress (here: one just recorded by another process) refuses a second.
        let other = try store.startTrainingRun(trigger: "request", exclusive: true)
        let busy = try fixture.trainByHand()
        XCTAssertEqual(busy.status, 75, busy.errors)
        XCTAssertTrue(busy.errors.contains("still running"), busy.errors)

        // Once its trainer is known to be gone, it is failed and no longer in the way.
        try store.updateTrainingRun(other.id, pid: 4_194_305)  // above PID_MAX_LIMIT: no process can have it
        let after = try fixture.trainByHand()
        XCTAssertEqual(after.status, 1, "it got past the abandoned run, to the missing data: \(after.errors)")
        XCTAssertEqual(try store.trainingRun(other.id)?.status, .failed)
        XCTAssertTrue(try store.trainingRun(other.id)?.error?.contains("interrupted") ?? false)
    }

    func testTheScheduleStartsARunOnceEnoughNewLabelsArrived() throws {
        let fixture = try RetrainFixture()
        // The schedule, every 2 s, once 20 new labels (5 of each) have arrived.
        let scheduled = fixture.config.replacingOccurrences(of: "  enabled: false", with: """
              enabled: true
              interval: 2s
              min_new_labels: 20
              min_new_per_label: 5
            """)
        try scheduled.write(toFile: fixture.directory.file("siftd.yaml"), atomically: true, encoding: .utf8)
        try fixture.coldStart()
        let siftd = try SiftdProcess(config: scheduled, directory: fixture.directory)
        try siftd.waitUntilServing()
        let client = try fixture.client()
        let store = try fixture.openStore()

        for text in fixture.spams(0..<18) { _ = try client.call(["op": "label", "text": .string(text), "label": "spam"]) }
        // Two schedule ticks that saw all 18 labels (none ham: not enough) start nothing.
        let checks = { try client.metric("sift_retrain_schedule_checks_total") ?? 0 }
        let seen = try checks()
        XCTAssertTrue(RetrainFixture.wait(timeout: 60) { try checks() >= seen + 2 }, siftd.log)
        XCTAssertEqual(try store.trainingRuns().count, 1, "only the cold start")

        for text in fixture.hams(0..<6) { _ = try client.call(["op": "label", "text": .string(text), "label": "ham"]) }
        XCTAssertTrue(RetrainFixture.wait(timeout: 30) { try store.trainingRuns().count == 2 }, siftd.log)
        XCTAssertEqual(try store.latestTrainingRun()?.trigger, "schedule")
        XCTAssertTrue(RetrainFixture.wait(timeout: 120) { try store.latestTrainingRun()?.status != .running })
        let latest = try store.latestTrainingRun()
        XCTAssertEqual(latest?.status, .succeeded, latest?.error ?? "")

        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
    }
}
