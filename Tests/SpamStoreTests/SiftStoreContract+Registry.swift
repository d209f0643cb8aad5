import Checksum
import Foundation
import TestSupport
import XCTest
@testable import SpamStore

/// The model registry, training runs and node reports of ``SiftStoreContract``.
extension SiftStoreContract {
    static let baseHash = String(repeating: "cd", count: 32)

    /// A model directory under `files` holding one small file of its own, so an engine that
    /// holds model files has something to read.
    func modelDirectory(_ version: String, in files: TemporaryDirectory) throws -> String {
        let path = files.path(version)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data("weights of \(version)".utf8).write(to: URL(fileURLWithPath: path).appendingPathComponent("classifier.bin"))
        return path
    }

    func model(_ version: String, in files: TemporaryDirectory, metrics: String? = #"{"promoted":true}"#) throws -> ModelRecord {
        ModelRecord(version: version, path: try modelDirectory(version, in: files), baseModelSHA256: Self.baseHash, metricsJSON: metrics)
    }

    private func activeVersions() throws -> [String] {
        try store.models().filter { $0.status == .active }.map(\.version)
    }

    func modelRegistryLifecycle() throws {
        let files = try TemporaryDirectory()
        let candidate = try store.registerCandidateModel(
            version: "c1", path: try modelDirectory("c1", in: files), baseModelSHA256: Self.baseHash,
            metricsJSON: #"{"accuracy": 0.95}"#, trainingRunID: nil, at: Date(timeIntervalSince1970: 100))
        XCTAssertEqual(candidate.status, .candidate)
        XCTAssertEqual(try store.model(version: "c1"), candidate)
        XCTAssertEqual(try store.model(version: "c1")?.metricsJSON, #"{"accuracy": 0.95}"#, "metrics as written")
        XCTAssertNil(try store.activeModel())
        XCTAssertNil(try store.model(version: "nope"))

        // Misuse, refused with the same errors on both engines; nothing registered.
        let c1Path = candidate.path
        XCTAssertThrowsError(try store.registerCandidateModel(
            version: "c1", path: c1Path, baseModelSHA256: Self.baseHash, metricsJSON: nil, trainingRunID: nil, at: .init())) {
            XCTAssertEqual($0 as? StoreError, .duplicateModel(version: "c1"))
        }
        for bad in ["", "..", "a/b", "x y"] {
            XCTAssertThrowsError(try store.registerCandidateModel(
                version: bad, path: c1Path, baseModelSHA256: Self.baseHash, metricsJSON: nil, trainingRunID: nil, at: .init())) {
                guard case StoreError.invalidArgument = $0 else { return XCTFail("\(bad): \($0)") }
            }
        }
        XCTAssertThrowsError(try store.registerCandidateModel(
            version: "c2", path: c1Path, baseModelSHA256: Self.baseHash, metricsJSON: "{nope", trainingRunID: nil, at: .init())) {
            guard case StoreError.invalidArgument = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try store.registerCandidateModel(
            version: "c3", path: c1Path, baseModelSHA256: Self.baseHash, metricsJSON: nil, trainingRunID: 99_999, at: .init())) {
            XCTAssertEqual($0 as? StoreError, .unknownTrainingRun(99_999))
        }
        XCTAssertThrowsError(try store.setModelStatus("nope", to: .active)) {
            XCTAssertEqual($0 as? StoreError, .unknownModel(version: "nope"))
        }
        XCTAssertEqual(try store.models().map(\.version), ["c1"])

        // Completing runs: promote, promote (retiring the first), reject.
        var runs: [TrainingRun] = []
        for (index, (version, promote)) in [("r1", true), ("r2", true), ("r3", false)].enumerated() {
            let time = Date(timeIntervalSince1970: Double(200 + 100 * index))
            let run = try store.startTrainingRun(dataCounts: nil, trigger: "schedule", exclusive: true, node: nil, at: time)
            let done = try store.completeTrainingRun(
                run.id, model: try model(version, in: files), promote: promote,
                dataCounts: TrainingDataCounts(trainingExamples: 90, holdoutExamples: 10), metricsJSON: #"{"loss":0.1}"#,
                at: time + 50)
            XCTAssertEqual(done.model.status, promote ? .active : .rejected)
            XCTAssertEqual(done.model.trainingRunID, run.id)
            XCTAssertEqual(done.model.createdAt, time + 50)
            XCTAssertEqual(done.retired, version == "r2" ? "r1" : nil)
            XCTAssertEqual(try store.model(version: version), done.model)
            let ended = try XCTUnwrap(try store.trainingRun(run.id))
            XCTAssertEqual(ended.status, .succeeded)
            XCTAssertEqual(ended.finishedAt, time + 50)
            XCTAssertEqual(ended.metricsJSON, #"{"loss":0.1}"#)
            XCTAssertEqual(ended.dataCounts, TrainingDataCounts(trainingExamples: 90, holdoutExamples: 10))
            runs.append(ended)
        }
        XCTAssertEqual(try store.latestSucceededTrainingRun(), runs[2])
        XCTAssertEqual(try activeVersions(), ["r2"])
        XCTAssertEqual(try store.model(version: "r1")?.status, .retired)
        XCTAssertEqual(try store.models().map(\.version), ["r3", "r2", "r1", "c1"], "newest first")

        // A run that ended cannot complete again; an unknown run cannot complete.
        XCTAssertThrowsError(try store.completeTrainingRun(
            runs[2].id, model: try model("late", in: files), promote: true, dataCounts: nil, metricsJSON: nil, at: .init())) {
            XCTAssertEqual($0 as? StoreError, .trainingRunNotRunning(runs[2].id, status: .succeeded))
        }
        XCTAssertThrowsError(try store.completeTrainingRun(
            99_999, model: try model("late", in: files), promote: true, dataCounts: nil, metricsJSON: nil, at: .init())) {
            XCTAssertEqual($0 as? StoreError, .unknownTrainingRun(99_999))
        }
        // A duplicate version rolls the whole completion back: the run still runs.
        let duplicate = try store.startTrainingRun(dataCounts: nil, trigger: nil, exclusive: true, node: nil, at: Date(timeIntervalSince1970: 600))
        XCTAssertThrowsError(try store.completeTrainingRun(
            duplicate.id, model: try model("r1", in: files), promote: true, dataCounts: nil, metricsJSON: nil, at: .init())) {
            XCTAssertEqual($0 as? StoreError, .duplicateModel(version: "r1"))
        }
        XCTAssertEqual(try store.trainingRun(duplicate.id)?.status, .running)
        try store.failTrainingRun(duplicate.id, error: "duplicate", dataCounts: nil, at: Date(timeIntervalSince1970: 601))
        XCTAssertNil(try store.model(version: "late"))
        XCTAssertEqual(try activeVersions(), ["r2"])

        // Rollback: the most recently retired, then a named version; one active model throughout.
        let back = try store.activateModel(nil)
        XCTAssertEqual(back.model.version, "r1")
        XCTAssertEqual(back.model.status, .active)
        XCTAssertEqual(back.retired, "r2")
        XCTAssertEqual(back.previousStatus, .retired)
        XCTAssertEqual(try activeVersions(), ["r1"])
        let forward = try store.activateModel("r2")
        XCTAssertEqual(forward.retired, "r1")
        XCTAssertEqual(try activeVersions(), ["r2"])
        XCTAssertThrowsError(try store.activateModel("nope")) { XCTAssertEqual($0 as? StoreError, .unknownModel(version: "nope")) }
        XCTAssertEqual(try store.setModelStatus("c1", to: .active), "r2")
        XCTAssertEqual(try activeVersions(), ["c1"])
        XCTAssertEqual(try store.setModelStatus("r2", to: .active), "c1")
        XCTAssertNil(try store.setModelStatus("r2", to: .active), "re-activating the active model retires nothing")
        XCTAssertEqual(try store.activeModel()?.version, "r2")

        // Pruning: oldest first, never the active model; a pruned model cannot come back.
        XCTAssertEqual(try store.modelsToPrune(keep: 1).map(\.version), ["r1", "c1"])
        XCTAssertEqual(try store.modelsToPrune(keep: 0).map(\.version), ["r3", "r1", "c1"])
        try store.markPruned("c1", at: Date(timeIntervalSince1970: 700))
        XCTAssertEqual(try store.model(version: "c1")?.prunedAt, Date(timeIntervalSince1970: 700))
        XCTAssertEqual(try store.modelsToPrune(keep: 1).map(\.version), ["r1"])
        XCTAssertThrowsError(try store.activateModel("c1")) { XCTAssertEqual($0 as? StoreError, .modelPruned(version: "c1")) }
        XCTAssertThrowsError(try store.markPruned("r2", at: .init())) {
            guard case StoreError.invalidArgument = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try store.markPruned("nope", at: .init())) { XCTAssertEqual($0 as? StoreError, .unknownModel(version: "nope")) }
        XCTAssertEqual(try activeVersions(), ["r2"])
    }

    func rollbackWithNothingEarlierIsAClearError() throws {
        let files = try TemporaryDirectory()
        let run = try store.startTrainingRun(dataCounts: nil, trigger: nil, exclusive: true, node: nil, at: fixedNoon)
        _ = try store.completeTrainingRun(run.id, model: try model("r1", in: files), promote: true, dataCounts: nil, metricsJSON: nil, at: fixedNoon)
        XCTAssertThrowsError(try store.activateModel(nil)) { error in
            guard case let StoreError.invalidArgument(reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("no earlier model"), reason)
        }
        XCTAssertEqual(try store.activeModel()?.version, "r1")
    }

    func modelFilesAreHeldByAnEngineThatHoldsThem() throws {
        let files = try TemporaryDirectory()
        guard store.holdsModelFiles else {
            try store.registerCandidateModel(
                version: "m1", path: files.path("anywhere"), baseModelSHA256: Self.baseHash, metricsJSON: nil, trainingRunID: nil,
                at: fixedNoon)
            XCTAssertEqual(try store.modelFileDigests(version: "m1"), [])
            XCTAssertThrowsError(try store.modelFileContents(version: "m1", name: "classifier.bin"))
            return
        }
        // Two files, one of them empty, a large one, and a subdirectory that is not read.
        let directory = files.path("m1")
        try FileManager.default.createDirectory(atPath: directory + "/nested", withIntermediateDirectories: true)
        let large = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        let contents: [String: Data] = ["classifier.bin": large, "empty": Data(), "tokenizer.json": Data(#"{"a":1}"#.utf8)]
        for (name, data) in contents { try data.write(to: URL(fileURLWithPath: directory).appendingPathComponent(name)) }
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: directory + "/nested/inner.bin"))

        try store.registerCandidateModel(
            version: "m1", path: directory, baseModelSHA256: Self.baseHash, metricsJSON: nil, trainingRunID: nil, at: fixedNoon)
        let expected = contents.keys.sorted().map { name in
            ModelFileDigest(name: name, sha256: SHA256.hex(contents[name]!), byteCount: Int64(contents[name]!.count))
        }
        XCTAssertEqual(try store.modelFileDigests(version: "m1"), expected)
        for (name, data) in contents { XCTAssertEqual(try store.modelFileContents(version: "m1", name: name), data, name) }
        XCTAssertThrowsError(try store.modelFileContents(version: "m1", name: "inner.bin")) {
            guard case StoreError.invalidArgument = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try store.modelFileContents(version: "nope", name: "classifier.bin")) {
            XCTAssertEqual($0 as? StoreError, .unknownModel(version: "nope"))
        }
        XCTAssertThrowsError(try store.modelFileDigests(version: "nope")) {
            XCTAssertEqual($0 as? StoreError, .unknownModel(version: "nope"))
        }

        // No directory, or one without files: refused, nothing registered, the run still runs.
        try FileManager.default.createDirectory(atPath: files.path("hollow/only-a-directory"), withIntermediateDirectories: true)
        for path in [files.path("missing"), files.path("hollow")] {
            XCTAssertThrowsError(try store.registerCandidateModel(
                version: "m2", path: path, baseModelSHA256: Self.baseHash, metricsJSON: nil, trainingRunID: nil, at: fixedNoon)) {
                guard case StoreError.invalidArgument = $0 else { return XCTFail("\($0)") }
            }
        }
        let run = try store.startTrainingRun(dataCounts: nil, trigger: nil, exclusive: true, node: nil, at: fixedNoon)
        let hollow = ModelRecord(version: "m2", path: files.path("hollow"), baseModelSHA256: Self.baseHash)
        XCTAssertThrowsError(try store.completeTrainingRun(run.id, model: hollow, promote: true, dataCounts: nil, metricsJSON: nil, at: fixedNoon))
        XCTAssertNil(try store.model(version: "m2"))
        XCTAssertEqual(try store.trainingRun(run.id)?.status, .running)

        // A completed run's model carries its files too.
        let m3 = try model("m3", in: files)
        _ = try store.completeTrainingRun(run.id, model: m3, promote: true, dataCounts: nil, metricsJSON: nil, at: fixedNoon + 1)
        XCTAssertEqual(try store.modelFileDigests(version: "m3").map(\.name), ["classifier.bin"])
        XCTAssertEqual(try store.modelFileContents(version: "m3", name: "classifier.bin"), Data("weights of m3".utf8))

        // Pruning deletes the files held: the model can never serve again.
        try store.markPruned("m1", at: fixedNoon + 2)
        XCTAssertEqual(try store.modelFileDigests(version: "m1"), [])
        XCTAssertThrowsError(try store.modelFileContents(version: "m1", name: "classifier.bin")) {
            XCTAssertEqual($0 as? StoreError, .modelPruned(version: "m1"))
        }
        XCTAssertEqual(try store.modelFileDigests(version: "m3").count, 1)
    }

    func trainingRunsAreExclusiveAndKeepTheirHeartbeat() throws {
        let t0 = Date(timeIntervalSince1970: 1_000)
        let counts = TrainingDataCounts(trainingExamples: 900, holdoutExamples: 100)
        let run = try store.startTrainingRun(dataCounts: counts, trigger: "schedule", exclusive: true, node: "node-a", at: t0)
        XCTAssertEqual(run.status, .running)
        XCTAssertEqual(run.node, "node-a")
        XCTAssertEqual(run.heartbeatAt, t0, "the lease starts with the run")
        XCTAssertEqual(try store.trainingRun(run.id), run)
        XCTAssertEqual(try store.runningTrainingRun(), run)
        XCTAssertThrowsError(try store.startTrainingRun(dataCounts: nil, trigger: "request", exclusive: true, node: "node-b", at: t0 + 1)) {
            XCTAssertEqual($0 as? StoreError, .trainingRunInProgress(run.id))
        }

        try store.updateTrainingRun(run.id, pid: 4242, progress: nil, at: t0 + 30)
        try store.updateTrainingRun(run.id, pid: nil, progress: "epoch 1/3", at: t0 + 60)
        var expected = run
        expected.pid = 4242
        expected.progress = "epoch 1/3"
        expected.heartbeatAt = t0 + 60
        XCTAssertEqual(try store.runningTrainingRun(), expected, "progress alone keeps the pid; each update renews the heartbeat")

        let failed = try store.failTrainingRun(run.id, error: "killed", dataCounts: nil, at: t0 + 90)
        expected.status = .failed
        expected.finishedAt = t0 + 90
        expected.error = "killed"
        XCTAssertEqual(failed, expected, "counts from the start are kept")
        XCTAssertEqual(try store.trainingRun(run.id), expected)
        XCTAssertThrowsError(try store.failTrainingRun(run.id, error: "again", dataCounts: nil, at: t0 + 91)) {
            XCTAssertEqual($0 as? StoreError, .trainingRunNotRunning(run.id, status: .failed))
        }
        XCTAssertThrowsError(try store.failTrainingRun(99_999, error: "who", dataCounts: nil, at: t0)) {
            XCTAssertEqual($0 as? StoreError, .unknownTrainingRun(99_999))
        }
        try store.updateTrainingRun(run.id, pid: nil, progress: "late", at: t0 + 120)
        XCTAssertEqual(try store.trainingRun(run.id), expected, "an ended run is not updated")
        XCTAssertNil(try store.runningTrainingRun())

        let second = try store.startTrainingRun(dataCounts: nil, trigger: "request", exclusive: true, node: "node-b", at: t0 + 200)
        XCTAssertNil(second.dataCounts)
        let third = try store.startTrainingRun(dataCounts: nil, trigger: "manual", exclusive: false, node: nil, at: t0 + 300)
        XCTAssertNil(third.node)
        let failedAgain = try store.failTrainingRun(
            second.id, error: "loss is NaN", dataCounts: TrainingDataCounts(trainingExamples: 5, holdoutExamples: 1), at: t0 + 400)
        XCTAssertEqual(failedAgain.dataCounts, TrainingDataCounts(trainingExamples: 5, holdoutExamples: 1), "counts given at the end win")
        XCTAssertEqual(try store.runningTrainingRun()?.id, third.id)
        XCTAssertEqual(try store.trainingRuns(limit: 2).map(\.id), [third.id, second.id])
        XCTAssertEqual(try store.trainingRuns(limit: 100).map(\.id), [third.id, second.id, run.id])
        XCTAssertEqual(try store.latestTrainingRun()?.id, third.id)
        XCTAssertNil(try store.latestSucceededTrainingRun())
    }

    func nodesAreUpsertedAndListedMostRecentlySeenFirst() throws {
        func node(_ name: String, seen: Double, version: String = "r1") -> NodeStatus {
            NodeStatus(
                name: name, host: "\(name).example", pid: 100, servingVersion: version, precision: "bf16",
                startedAt: Date(timeIntervalSince1970: 50), seenAt: Date(timeIntervalSince1970: seen))
        }
        XCTAssertEqual(try store.nodes(), [])
        try store.recordNodeHeartbeat(node("a", seen: 100))
        try store.recordNodeHeartbeat(node("b", seen: 300))
        try store.recordNodeHeartbeat(node("c", seen: 200))
        XCTAssertEqual(try store.nodes().map(\.name), ["b", "c", "a"])

        var again = node("a", seen: 400, version: "r2")
        again.pid = 101
        again.precision = "int8"
        again.host = "moved.example"
        again.startedAt = Date(timeIntervalSince1970: 390)
        try store.recordNodeHeartbeat(again)
        XCTAssertEqual(try store.nodes(), [again, node("b", seen: 300), node("c", seen: 200)])
    }
}
