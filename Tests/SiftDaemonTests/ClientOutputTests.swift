import Foundation
import SiftJSON
import TestSupport
import XCTest
@testable import SiftDaemon

/// The client commands' output: human lines and tables, JSON for scripts, error replies on
/// stderr, and the pieces that read a reply (models' recall, rollback's --version).
final class ClientOutputTests: DaemonTestCase {
    private var sift: URL!
    private var directory: ShortTemporaryDirectory!
    /// Kept for the whole test: a stand-in closes its socket when released.
    private var standIns: [ScriptedSocket] = []

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        directory = try ShortTemporaryDirectory()
    }

    private func run(_ arguments: [String], input: String = "", socket: String) throws -> (status: Int32, output: String, errors: String) {
        try BuiltExecutable.run(sift, arguments + ["--socket", socket], input: input)
    }

    private func standIn(_ respond: @escaping @Sendable (JSONValue) -> String) throws -> String {
        let socket = try ScriptedSocket(path: directory.file("s\(standIns.count).sock")) { line in
            respond((try? JSONParser.parse(Array(line.utf8))) ?? .null)
        }
        standIns.append(socket)
        return socket.path
    }

    func testHumanOutputOfEachCommand() async throws {
        let fixture = try await start()
        let socket = fixture.socketPath

        let classified = try run(["classify", "--format", "human", "call now to claim", "see you at 6"], socket: socket)
        XCTAssertEqual(classified.status, 0, classified.errors)
        let lines = classified.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, classified.output)
        let pattern = try NSRegularExpression(pattern: #"^(spam|ham|unsure) [01]\.\d{3} id=(\d+) model=\S+$"#)
        for line in lines {
            XCTAssertNotNil(pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), line)
        }
        let id = try XCTUnwrap(lines[0].split(separator: " ").first { $0.hasPrefix("id=") }.flatMap { Int64($0.dropFirst(3)) })

        let corrected = try run(["correct", "--format", "human", "\(id)", "spam"], socket: socket)
        XCTAssertEqual(corrected.status, 0, corrected.errors)
        XCTAssertEqual(corrected.output, "message \(id) is now labelled spam\n")

        let labeled = try run(["label", "--format", "human", "ham"], input: "Are we still on for lunch?\n", socket: socket)
        XCTAssertEqual(labeled.status, 0, labeled.errors)
        XCTAssertTrue(labeled.output.hasPrefix("stored message ") && labeled.output.hasSuffix(", labelled ham\n"), labeled.output)

        XCTAssertEqual(try run(["forget", "--format", "human", "\(id)"], socket: socket).output, "message \(id): label withdrawn\n")
        XCTAssertEqual(try run(["forget", "--format", "human", "\(id)"], socket: socket).output, "message \(id) had no label: nothing changed\n")

        // stats: a row per day and a total that adds them up, as the JSON reply has them.
        let stats = try run(["stats", "--format", "human", "--days", "3"], socket: socket)
        XCTAssertEqual(stats.status, 0, stats.errors)
        let statsJSON = try JSONParser.parse(Array(try run(["stats", "--json", "--days", "3"], socket: socket).output.utf8.dropLast()))
        let days = try XCTUnwrap(statsJSON["days"]?.arrayValue)
        let rows = stats.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertEqual(rows.first, ["DAY", "MESSAGES", "SPAM", "CORRECTIONS"], stats.output)
        XCTAssertEqual(rows.dropFirst().prefix(days.count).map { $0.first }, days.map { $0["day"]?.stringValue })
        let total = try XCTUnwrap(rows.first { $0.first == "total" }, stats.output)
        XCTAssertEqual(total[1], String(days.compactMap { $0["messages"]?.intValue }.reduce(0, +)))
        XCTAssertGreaterThanOrEqual(Int(total[1]) ?? 0, 2, "the two classified messages")
        XCTAssertTrue(stats.output.contains("online accuracy: "), stats.output)
        XCTAssertTrue(stats.output.contains("new labels since the last training run: "), stats.output)

        let health = try run(["health", "--format", "human"], socket: socket)
        XCTAssertEqual(health.status, 0, health.errors)
        XCTAssertTrue(health.output.hasPrefix("status:"), health.output)
        XCTAssertTrue(health.output.contains("labels:") && health.output.contains("ham, spam"), health.output)
        XCTAssertTrue(health.output.contains("uptime:"), health.output)

        let models = try run(["models", "--format", "human"], socket: socket)
        XCTAssertEqual(models.status, 0, models.errors)
        XCTAssertTrue(models.output.hasPrefix("serving: "), models.output)
        XCTAssertTrue(models.output.contains("no models in the registry yet"), models.output)

        // JSON: --json is --format json; and what a pipe gets by default (auto).
        let json = try run(["models", "--json"], socket: socket)
        XCTAssertEqual(json.output, try run(["models", "--format", "json"], socket: socket).output)
        XCTAssertEqual(json.output, try run(["models"], socket: socket).output, "stdout is a pipe: auto is json")
        XCTAssertNotNil(try JSONParser.parse(Array(json.output.utf8.dropLast()))["serving"])

        XCTAssertEqual(try run(["health", "--json", "--format", "human"], socket: socket).status, 64)
        XCTAssertEqual(try run(["classify", "--tsv", "--json", "x"], socket: socket).status, 64)
    }

    /// An error reply is said on stderr as `sift: CODE: MESSAGE` in every format; JSON also prints
    /// the reply line on stdout, for scripts that parse it.
    func testErrorRepliesGoToStderrInEveryFormat() async throws {
        let fixture = try await start()
        let socket = fixture.socketPath
        let id = try XCTUnwrap(try fixture.connect().call(["op": "classify", "text": "hello there"])["message_id"]?.intValue)

        let human = try run(["correct", "--format", "human", "\(id)", "maybe"], socket: socket)
        XCTAssertEqual(human.status, 1)
        XCTAssertEqual(human.output, "")
        XCTAssertTrue(human.errors.hasPrefix("sift: unknown_label: "), human.errors)

        let json = try run(["correct", "--json", "\(id)", "maybe"], socket: socket)
        XCTAssertEqual(json.status, 1)
        XCTAssertEqual(try JSONParser.parse(Array(json.output.utf8.dropLast())).errorCode, "unknown_label", json.output)
        XCTAssertTrue(json.errors.hasPrefix("sift: unknown_label: "), json.errors)

        let blank = try run(["classify", "--format", "human", "fine text", " "], socket: socket)
        XCTAssertEqual(blank.status, 1, "one text refused")
        XCTAssertEqual(blank.output.split(separator: "\n").count, 1, "the other one answered: \(blank.output)")
        XCTAssertTrue(blank.errors.contains("sift: empty_text: "), blank.errors)

        let overloaded = try standIn { _ in #"{"error":{"code":"overloaded","message":"busy"}}"# }
        let refused = try run(["health", "--format", "human"], socket: overloaded)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.errors.hasPrefix("sift: overloaded: busy; "), refused.errors)
        XCTAssertTrue(refused.errors.contains("try again"), "a hint: " + refused.errors)
    }

    /// SPAM RECALL is "-" for a holdout without spam (its recall figure, 0, would read as "caught
    /// none"), and a percentage otherwise.
    func testModelsShowsNoRecallForAHoldoutWithoutSpam() throws {
        func evaluation(spam: Int, recall: Double) -> String {
            #"{"accuracy":0.9,"positive_label":"spam","recall":\#(recall),"per_label":[{"label":"ham","recall":0.9,"support":20},{"label":"spam","recall":\#(recall),"support":\#(spam)}]}"#
        }
        let reply = #"{"serving":"r2","active":"r2","training":null,"models":["#
            + #"{"version":"r2","status":"active","created_at":"2026-03-10T12:00:00Z","pruned":false,"metrics":{"candidate":{"labels":\#(evaluation(spam: 0, recall: 0)),"seed":\#(evaluation(spam: 5, recall: 0.8))}}},"#
            + #"{"version":"r1","status":"retired","created_at":"2026-03-09T12:00:00Z","pruned":false,"metrics":{"candidate":{"labels":\#(evaluation(spam: 4, recall: 0.75))}}}]}"#
        let socket = try standIn { _ in reply }
        let models = try run(["models", "--format", "human"], socket: socket)
        XCTAssertEqual(models.status, 0, models.errors)
        let rows = models.output.split(separator: "\n").map { $0.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let header = try XCTUnwrap(rows.first { $0.first == "VERSION" }, models.output)
        let column = try XCTUnwrap(header.firstIndex(of: "SPAM RECALL"))
        XCTAssertEqual(rows.first { $0.first == "r2" }?[column], "-", models.output)
        XCTAssertEqual(rows.first { $0.first == "r1" }?[column], "75.00%", models.output)
    }

    /// `rollback --version r3` names the model version; `sift --version` is still sift's.
    func testRollbackTakesTheVersionAsAnOptionOrAnArgument() throws {
        let socket = try standIn { request in
            let version = request["version"]?.stringValue ?? "r1"
            return #"{"ok":true,"active":"\#(version)","retired":"r9","serving":"\#(version)"}"#
        }
        XCTAssertEqual(try run(["rollback", "--format", "human", "--version", "r3"], socket: socket).output, "r3 is active (r9 retired); serving r3\n")
        let joined = try run(["rollback", "--json", "--version=r4"], socket: socket)
        XCTAssertEqual(try JSONParser.parse(Array(joined.output.utf8.dropLast()))["active"], .string("r4"), joined.output + joined.errors)
        XCTAssertEqual(try run(["rollback", "--format", "human", "r5"], socket: socket).output, "r5 is active (r9 retired); serving r5\n")
        XCTAssertEqual(try run(["rollback", "--format", "human"], socket: socket).output, "r1 is active (r9 retired); serving r1\n")
        XCTAssertEqual(try run(["rollback", "--version", "r3", "r4"], socket: socket).status, 64)

        let missing = try run(["rollback", "--version"], socket: socket)
        XCTAssertNotEqual(missing.status, 0, "a version is missing, not asked for")
        XCTAssertFalse(missing.output.contains(SiftVersion.string), missing.output)

        let tool = try BuiltExecutable.run(sift, ["--version"])
        XCTAssertEqual(tool.status, 0)
        XCTAssertEqual(tool.output, SiftVersion.string + "\n")
    }

    /// `retrain --wait` shows the run's progress on stderr while it lasts (read from `models` on
    /// a second connection), and prints only the outcome on stdout.
    func testRetrainWaitShowsProgressWhileTheRunLasts() throws {
        let finished = DispatchSemaphore(value: 0)
        let outcome = #"{"ok":true,"run_id":8,"status":"succeeded","version":"r8","promoted":true,"decision":"promote","reasons":["labels: better"],"serving":"r8"}"#
        let socket = try standIn { request in
            switch request["op"]?.stringValue {
            case "models":
                return #"{"serving":"r7","active":"r7","models":[],"training":{"id":8,"status":"running","progress":"epoch 1/3, step 40/96"}}"#
            case "retrain":
                finished.wait()  // the run lasts until the test has seen its progress
                return outcome
            default:
                return #"{"error":{"code":"unknown_op","message":"?"}}"#
            }
        }
        let waiting = try RunningCommand(sift, ["retrain", "--wait", "--json", "--socket", socket])
        XCTAssertTrue(waiting.waitForErrors(containing: "run 8: epoch 1/3, step 40/96"), waiting.errorText)
        finished.signal()
        let result = try XCTUnwrap(waiting.finish())
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, outcome + "\n", "stdout holds the outcome only")
        XCTAssertEqual(result.errors.components(separatedBy: "epoch 1/3, step 40/96").count - 1, 1,
                       "not a terminal: a line when the progress changes, not one per poll: \(result.errors)")

        finished.signal()  // the next run ends at once
        let human = try run(["retrain", "--wait", "--format", "human"], socket: socket)
        XCTAssertEqual(human.status, 0, human.errors)
        XCTAssertEqual(human.output, "training run 8 succeeded: r8 promoted; serving r8\n  labels: better\n")
    }
}
