import Foundation
import XCTest
@testable import SiftDaemon

/// siftd's start as an operator sees it: bad settings stop it with the key named.
final class SiftdStartupTests: XCTestCase {
    func testAnInvalidConfigValueStopsSiftdNamingTheKey() throws {
        let siftd = try SiftdProcess(config: "limits:\n  max_connections: lots\n")
        XCTAssertEqual(siftd.waitForExit(), 78, siftd.log)
        XCTAssertTrue(siftd.log.contains("limits.max_connections"), siftd.log)
        XCTAssertTrue(siftd.log.contains("SIFT_LIMITS_MAX_CONNECTIONS"), siftd.log)
    }

    /// A fresh install has no model (the weights are not shipped): siftd must say where it
    /// looked, what moves that place, and how to put GPT-2 there; and exit 78, so systemd does
    /// not restart it in a loop.
    func testAMissingBaseModelSaysWhereItLookedAndHowToPutOneThere() throws {
        let directory = try ShortTemporaryDirectory()
        let run = try Self.runSiftd(in: directory)
        XCTAssertEqual(run.status, 78, run.errors)
        let base = directory.file("state") + "/base"
        for hint in ["model.base", "SIFT_MODEL_BASE", "--base-model DIR", "in \(base):", "scripts/fetch-gpt2 models/gpt2",
                     "cp models/gpt2/{model.safetensors,config.json,vocab.json,merges.txt} \(base)/"] {
            XCTAssertTrue(run.errors.contains(hint), "no \"\(hint)\" in:\n\(run.errors)")
        }
    }

    /// The installed layout's place gets the install command rather than a copy by hand.
    func testAMissingBaseModelInTheInstalledPlaceNamesScriptsInstall() throws {
        let installed = "/var/lib/sift/base"
        if FileManager.default.fileExists(atPath: installed + "/config.json") {
            throw XCTSkip("skipped: this machine has a model in \(installed), so siftd would not stop for want of one")
        }
        let run = try Self.runSiftd(in: try ShortTemporaryDirectory(), ["--base-model", installed])
        XCTAssertEqual(run.status, 78, run.errors)
        XCTAssertTrue(run.errors.contains("sudo scripts/install --base-model models/gpt2"), run.errors)
    }

    /// `siftd train` needs the base model too, and says the same.
    func testSiftdTrainWithoutABaseModelSaysHowToPutOneThere() throws {
        let directory = try ShortTemporaryDirectory()
        try "".write(toFile: directory.file("siftd.yaml"), atomically: true, encoding: .utf8)
        let run = try BuiltExecutable.run(
            try SiftdProcess.binary(), ["train", "--config", directory.file("siftd.yaml"), "--state-dir", directory.file("state")],
            environment: SiftdProcess.environment())
        XCTAssertEqual(run.status, 78, run.errors)
        XCTAssertTrue(run.errors.hasPrefix("siftd train: config key model.base"), run.errors)
        XCTAssertTrue(run.errors.contains("scripts/fetch-gpt2 models/gpt2"), run.errors)
    }

    /// A download cut off half-way is named as such, and stops siftd once (78), not in a loop.
    func testATruncatedModelFileStopsSiftdOnce() throws {
        let directory = try ShortTemporaryDirectory()
        let base = directory.file("base")
        try FileManager.default.copyItem(atPath: try DaemonFixture.modelDirectory(), toPath: base)
        let model = base + "/model.safetensors"
        let whole = try Data(contentsOf: URL(fileURLWithPath: model))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: model))
        let run = try Self.runSiftd(in: directory, ["--base-model", base])
        XCTAssertEqual(run.status, 78, run.errors)
        XCTAssertTrue(run.errors.contains("cannot load the model"), run.errors)
        XCTAssertTrue(run.errors.contains("is truncated"), run.errors)
    }

    /// siftd run to its end with an empty config file, a socket and a state directory in
    /// `directory`, and `arguments`.
    private static func runSiftd(in directory: ShortTemporaryDirectory, _ arguments: [String] = []) throws
        -> (status: Int32, output: String, errors: String)
    {
        try "".write(toFile: directory.file("siftd.yaml"), atomically: true, encoding: .utf8)
        return try BuiltExecutable.run(
            try SiftdProcess.binary(),
            ["--config", directory.file("siftd.yaml"), "--socket", directory.file("s.sock"), "--state-dir", directory.file("state")]
                + arguments,
            environment: SiftdProcess.environment())
    }

    func testAMissingBaseModelIsReportedAsConfig() throws {
        let siftd = try SiftdProcess(config: "model:\n  classifier: /nonexistent/head.safetensors\n")
        XCTAssertEqual(siftd.waitForExit(), 78, siftd.log)
        XCTAssertTrue(siftd.log.contains("model.classifier"), siftd.log)
    }
}
