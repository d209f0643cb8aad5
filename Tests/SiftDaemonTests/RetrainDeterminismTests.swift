import SiftDaemon
import SpamStore
import XCTest

/// A run is a function of its inputs (base, warm start, the store's labels in store order, seed
/// data, config, seed): the same inputs in two state directories give byte-identical
/// checkpoints, for the cold start and for the warm retrain on top of it.
final class RetrainDeterminismTests: XCTestCase {
    func testTheSameInputsGiveTheSameCheckpointTwice() throws {
        var hashes: [[String]] = []
        for _ in 0..<2 {
            let fixture = try RetrainFixture()
            try fixture.coldStart()
            try fixture.label(fixture.hams(0..<60).map(RetrainFixture.newKindSpam), as: "spam", uid: 1000)
            try fixture.label(fixture.spams(0..<10), as: "spam", uid: 1001)
            let retrain = try fixture.trainByHand()
            XCTAssertEqual(retrain.status, 0, retrain.errors)
            hashes.append([try fixture.checkpointSHA256("r1"), try fixture.checkpointSHA256("r2")])
        }
        XCTAssertEqual(hashes[0], hashes[1], "cold start and warm retrain, twice from the same inputs")
    }
}

/// Poisoning limits: one uid's labels are at most a share of a run, and labels from one uid
/// with no seed data to check them against are refused with the reason.
final class RetrainPoisoningTests: XCTestCase {
    func testOneUidsLabelsWithoutSeedDataAreRefused() throws {
        let fixture = try RetrainFixture()
        try fixture.coldStart()
        // The shipped default then: no seed data. One user labels spam as ham, and fillers as spam.
        let noSeed = fixture.config.replacingOccurrences(of: "seed_data:", with: "# seed_data:")
        try noSeed.write(toFile: fixture.directory.file("siftd.yaml"), atomically: true, encoding: .utf8)
        try fixture.label(fixture.spams(0..<400), as: "ham", uid: 1000)
        try fixture.label(fixture.hams(0..<40), as: "spam", uid: 1000)
        let poisoned = try fixture.trainByHand()
        XCTAssertEqual(poisoned.status, 1, poisoned.output)
        XCTAssertTrue(poisoned.errors.contains("refused: all 440 labels come from uid 1000"), poisoned.errors)
        let store = try fixture.openStore()
        XCTAssertEqual(try store.latestTrainingRun()?.status, .failed)
        XCTAssertTrue(try store.latestTrainingRun()?.error?.contains("retrain.seed_data") ?? false)
        XCTAssertEqual(try store.activeModel()?.version, "r1", "nothing changed")

        // A trusted uid is an operator's: the run goes ahead (and is judged by the gate).
        let trusted = noSeed + "\n  trusted_uids: [1000]\n"
        try trusted.write(toFile: fixture.directory.file("siftd.yaml"), atomically: true, encoding: .utf8)
        let run = try fixture.trainByHand()
        XCTAssertEqual(run.status, 0, run.errors)
    }

    func testWithSeedDataAPoisonerIsCappedAndTheGateRejectsTheRest() throws {
        let fixture = try RetrainFixture()
        try fixture.coldStart()
        try fixture.label(fixture.spams(0..<300), as: "ham", uid: 1000)
        let run = try fixture.trainByHand()
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertFalse(run.output.contains("r2 promoted"), run.output)
        XCTAssertTrue(run.output.contains("seed: balanced accuracy"), run.output)
        let store = try fixture.openStore()
        let report = try XCTUnwrap(try store.latestTrainingRun()?.metricsJSON.flatMap(RetrainReport.decode))
        XCTAssertNotEqual(report.decision, .promote, "\(report.reasons)")
        XCTAssertLessThanOrEqual(Double(report.fromLabels), 0.5 * Double(report.trainingExamples), "uid 1000 holds at most half the run")
        XCTAssertEqual(try store.activeModel()?.version, "r1")
    }
}
