import Foundation
import TestSupport
import XCTest

/// The long steps of `sift train`, `sift eval` and `sift prepare-data` say how far they got. Not
/// on a terminal (as here, and in a log or a systemd unit) each step ends with one plain line of
/// its full count; the periodic lines in between depend on time, so only the last is asserted.
final class ProgressOutputTests: XCTestCase {
    private var sift: URL!
    private var directory: TemporaryDirectory!

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        directory = try TemporaryDirectory()
    }

    private func labeledFile(_ name: String) throws -> String {
        let rows = ["spam\tWINNER!! Claim your prize now", "spam\tFree entry in 2 a wkly comp", "spam\tCall now to claim",
                    "ham\tAre we still on for lunch?", "ham\tsee you at 6", "ham\tok thanks", "ham\tI'll be late"]
        let path = directory.path(name)
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTrainReportsThePrefixCacheEpochsAndEvaluation() throws {
        let data = try labeledFile("data.tsv")
        let result = try BuiltExecutable.run(sift, [
            "train", "--base", try DaemonFixture.modelDirectory(), "--train", data, "--validation", data, "--test", data,
            "--epochs", "2", "--batch-size", "2", "--threads", "1", "--out", directory.path("c.safetensors"),
        ])
        XCTAssertEqual(result.status, 0, result.errors)
        let lines = result.errors.split(separator: "\n").map(String.init)
        let expected = ["prefix cache (train): 7 examples in ", "prefix cache (validation): 7 examples in ",
                        "epoch 1/2: 3 steps in ", "epoch 2/2: 3 steps in ", "evaluating", "prefix cache (test): 7 examples in "]
        var found: [Int] = []
        for prefix in expected {
            let index = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(prefix) }, "no \"\(prefix)\" in:\n\(result.errors)")
            found.append(index)
        }
        XCTAssertEqual(found, found.sorted(), "in the order the steps run:\n\(result.errors)")
        XCTAssertFalse(result.errors.contains("\r"), "no terminal redraws when stderr is not a terminal")
        XCTAssertTrue(result.output.contains("wrote "), "the result stays on stdout: \(result.output)")
    }

    func testEvalReportsEachFile() throws {
        let data = try labeledFile("held.tsv")
        let result = try BuiltExecutable.run(sift, ["eval", "--base", try DaemonFixture.modelDirectory(), "--json", data])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.errors.contains("held.tsv: 7 texts in "), result.errors)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(result.output.utf8)), "stdout is only the JSON")
    }

    func testPrepareDataReportsTheMailRead() throws {
        for (folder, count) in [("spam", 3), ("ham", 4)] {
            for i in 0..<count {
                let url = directory.url.appendingPathComponent("mail/\(folder)/\(i).eml")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data("Subject: \(folder) \(i)\n\nbody \(i)\n".utf8).write(to: url)
            }
        }
        let result = try BuiltExecutable.run(sift, ["prepare-data", directory.path("mail"), "--out", directory.path("out")])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.errors.contains("reading mail: 7 files in "), result.errors)
    }
}
