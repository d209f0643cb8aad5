import Foundation
import SiftJSON
import SpamStore
import XCTest
@testable import SiftDaemon

/// The `sift` client commands against a daemon, with the exit codes scripts rely on.
final class ClientCommandTests: XCTestCase {
    private var fixture: DaemonFixture!
    private var sift: URL!

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        fixture = try await DaemonFixture.start()
    }

    override func tearDown() async throws {
        try await fixture?.stop()
        fixture = nil
    }

    private func run(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, errors: String) {
        try BuiltExecutable.run(sift, arguments, input: input, environment: ["SIFT_SOCKET": fixture.socketPath])
    }

    func testClassifyStreamsStdinAsTSVAndArgumentsAsJSON() throws {
        let tsv = try run(["classify", "--tsv"], input: "WINNER!! claim\tnow\n\nsee you at 6\r\n")
        XCTAssertEqual(tsv.status, 0, tsv.errors)
        let rows = tsv.output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.count, 2, "the blank line is skipped")
        XCTAssertEqual(rows.map { $0.count }, [4, 4])
        XCTAssertEqual(rows.map { String($0[3]) }, ["WINNER!! claim now", "see you at 6"])
        XCTAssertNotNil(Int64(rows[0][0]))

        let json = try run(["classify", "first text", "second text"])
        XCTAssertEqual(json.status, 0, json.errors)
        let replies = try json.output.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        XCTAssertEqual(replies.count, 2)
        XCTAssertTrue(replies.allSatisfy { $0["message_id"] != nil && $0["model"] != nil })
    }

    func testCorrectLabelForgetAndTheirExitCodes() throws {
        let classified = try run(["classify", "call now to claim"])
        let id = try XCTUnwrap(try JSONParser.parse(Array(classified.output.utf8.dropLast()))["message_id"]?.intValue)

        let corrected = try run(["correct", "\(id)", "spam"])
        XCTAssertEqual(corrected.status, 0, corrected.errors)
        XCTAssertEqual(try fixture.daemon.context.store.currentLabel(forMessage: id), "spam")

        let wrongLabel = try run(["correct", "\(id)", "maybe"])
        XCTAssertEqual(wrongLabel.status, 1)
        XCTAssertTrue(wrongLabel.output.contains("unknown_label"), wrongLabel.output)

        let labeled = try run(["label", "ham"], input: "Are we still on for lunch?\n")
        XCTAssertEqual(labeled.status, 0, labeled.errors)
        let labeledID = try XCTUnwrap(try JSONParser.parse(Array(labeled.output.utf8.dropLast()))["message_id"]?.intValue)
        XCTAssertEqual(try fixture.daemon.context.store.message(labeledID)?.text, "Are we still on for lunch?")

        XCTAssertEqual(try run(["forget", "\(id)"]).status, 0)
        XCTAssertEqual(try run(["forget", "0"]).status, 64, "usage")
    }

    func testReadOnlyCommandsAndAnUnreachableSocket() throws {
        for command in [["stats"], ["health"], ["models", "--json"]] {
            let result = try run(command)
            XCTAssertEqual(result.status, 0, "\(command): \(result.errors)")
            XCTAssertNoThrow(try JSONParser.parse(Array(result.output.utf8.dropLast())), "\(command)")
        }
        let metrics = try run(["metrics"])
        XCTAssertEqual(metrics.status, 0)
        XCTAssertTrue(metrics.output.contains("# TYPE sift_requests_total counter"), metrics.output)

        // --output: the same text in a file, put in place by a rename (no temporary file left).
        let file = fixture.directory.file("metrics/sift.prom")
        try FileManager.default.createDirectory(atPath: fixture.directory.file("metrics"), withIntermediateDirectories: true)
        let written = try run(["metrics", "--output", file])
        XCTAssertEqual(written.status, 0, written.errors)
        XCTAssertEqual(written.output, "")
        XCTAssertTrue(try String(contentsOfFile: file, encoding: .utf8).contains("# TYPE sift_requests_total counter"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.file("metrics")), ["sift.prom"])
        let nowhere = try run(["metrics", "--output", fixture.directory.file("no/such/dir/sift.prom")])
        XCTAssertEqual(nowhere.status, 1)
        XCTAssertTrue(nowhere.errors.contains("cannot write"), nowhere.errors)

        let unreachable = try BuiltExecutable.run(sift, ["health", "--socket", fixture.directory.file("nobody.sock")])
        XCTAssertEqual(unreachable.status, 3)
        XCTAssertTrue(unreachable.errors.contains("no siftd socket at"), unreachable.errors)
    }

    /// `sift backup` copies the store of a running daemon: the copy opens and holds what was
    /// acknowledged before it started; a missing state directory is a clear error.
    func testBackupCopiesTheStoreOfARunningDaemon() async throws {
        let client = try fixture.connect()
        let id = try XCTUnwrap(try client.call(["op": "classify", "text": "back me up"])["message_id"]?.intValue)
        _ = try client.call(["op": "correct", "message_id": .int(id), "label": "spam"])  // waits for the journal
        let copy = fixture.directory.file("backup.sqlite")
        let result = try run(["backup", "--state-dir", fixture.config.stateDirectory, copy])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(try client.call(["op": "health"])["status"], .string("ok"), "the daemon kept serving")
        let restored = try Store(path: copy)
        XCTAssertEqual(try restored.message(id)?.text, "back me up")
        try restored.close()

        let missing = try run(["backup", "--state-dir", fixture.directory.file("nowhere"), copy])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.errors.contains("no store at"), missing.errors)
    }

    /// `sift eval --json` on the golden model: the curve's counts add up, fall as the threshold
    /// rises, and at 0.5 agree with the confusion matrix (the most probable of two labels).
    func testEvalReportsTheThresholdCurve() throws {
        let data = fixture.directory.file("eval.tsv")
        let rows = [
            "spam\tWINNER!! Claim your prize now", "spam\tFree entry in 2 a wkly comp", "spam\tCall now to claim",
            "ham\tAre we still on for lunch?", "ham\tsee you at 6", "ham\tok thanks", "ham\tI'll be late",
        ]
        try (rows.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let result = try run(["eval", "--base", try DaemonFixture.modelDirectory(), "--json", data])
        XCTAssertEqual(result.status, 0, result.errors)
        let report = try XCTUnwrap(try JSONParser.parse(Array(result.output.utf8))[data])
        let curve = try XCTUnwrap(report["thresholds"], "\(report)")
        XCTAssertEqual(curve["spam"], .int(3))
        XCTAssertEqual(curve["ham"], .int(4))
        guard case let .array(points)? = curve["points"] else { return XCTFail("\(curve)") }
        let caught = points.compactMap { $0["spam_caught"]?.intValue }
        let flagged = points.compactMap { $0["ham_called_spam"]?.intValue }
        XCTAssertEqual(caught.count, points.count)
        XCTAssertEqual(caught, caught.sorted(by: >))
        XCTAssertEqual(flagged, flagged.sorted(by: >))
        let half = try XCTUnwrap(points.first { $0["threshold"]?.doubleValue == 0.5 })
        guard case let .array(matrix)? = report["confusion"]?["counts"], case let .array(spamRow) = matrix[1],
              case let .array(hamRow) = matrix[0] else { return XCTFail("\(report)") }
        XCTAssertEqual(half["spam_caught"], spamRow[1])
        XCTAssertEqual(half["ham_called_spam"], hamRow[1])

        let readable = try run(["eval", "--base", try DaemonFixture.modelDirectory(), data])
        XCTAssertEqual(readable.status, 0, readable.errors)
        XCTAssertTrue(readable.output.contains("threshold  precision"), readable.output)
    }

    /// `sift retrain --wait` exits 2 when the run fails (what sift-retrain.service relies on): a
    /// trainer that exits at once with status 1 fails its run.
    func testRetrainWaitExitsTwoWhenTheRunFails() async throws {
        try await fixture.stop()
        let failing = TrainerLauncher(executable: URL(fileURLWithPath: "/bin/false"), arguments: [])
        fixture = try await DaemonFixture.start(options: Daemon.Options(trainer: failing))
        let result = try run(["retrain", "--wait"])
        XCTAssertEqual(result.status, 2, result.output + result.errors)
        XCTAssertEqual(try JSONParser.parse(Array(result.output.utf8.dropLast()))["status"], .string("failed"), result.output)
    }
}
