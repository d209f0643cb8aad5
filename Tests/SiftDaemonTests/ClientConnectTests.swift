import Foundation
import SiftJSON
import TestSupport
import XCTest
@testable import SiftDaemon

/// How the client commands reach siftd: --wait-ready for a daemon that is starting, --timeout
/// for one that does not answer, and what they say when the socket or a default file is missing.
final class ClientConnectTests: DaemonTestCase {
    private var sift: URL!
    private var directory: ShortTemporaryDirectory!

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        directory = try ShortTemporaryDirectory()
    }

    /// `--wait-ready SECONDS` (as `--help` shows it): started before the daemon exists, the
    /// command waits for its socket and then succeeds. The time is far beyond a daemon's start.
    func testWaitReadyWaitsForADaemonThatStartsLater() async throws {
        let socket = directory.file("later.sock")
        let health = try RunningCommand(sift, ["health", "--wait-ready", "600", "--socket", socket])
        XCTAssertTrue(health.waitForErrors(containing: "waiting up to 600 s for siftd's socket at \(socket)"), health.errorText)
        _ = try await start { $0.socket.path = socket }
        let result = try XCTUnwrap(health.finish())
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(try JSONParser.parse(Array(result.output.utf8.dropLast()))["status"], .string("ok"), result.output)
    }

    /// `--wait-ready=SECONDS`: the same with a time of one's own; past it, exit 3 and why.
    func testWaitReadyWithSecondsAndWhenTheTimeRunsOut() throws {
        let reply = #"{"message_id":1,"label":"ham","model":"r1"}"#
        let result = try classifyOnceASocketAppears(["--wait-ready=300"], saying: "waiting up to 300 s", reply: reply)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, reply + "\n")

        // Alone, it waits 30 s; the stand-in appears as soon as the command says it waits.
        let bare = try classifyOnceASocketAppears(["--wait-ready"], saying: "waiting up to 30 s", reply: reply)
        XCTAssertEqual(bare.status, 0, bare.errors)
        XCTAssertEqual(bare.output, reply + "\n", "answered like any other request")

        let never = try BuiltExecutable.run(sift, ["health", "--wait-ready=0.2", "--socket", directory.file("never.sock")])
        XCTAssertEqual(never.status, 3)
        XCTAssertTrue(never.errors.contains("siftd's socket was not ready within 0.2 s: no siftd socket at"), never.errors)
        XCTAssertEqual(try BuiltExecutable.run(sift, ["health", "--wait-ready=-1"]).status, 64)
    }

    /// `sift classify --json … hello` started with no socket: once it says `waiting`, a stand-in
    /// socket answering `reply` appears. What the command ended with.
    private func classifyOnceASocketAppears(_ waitOption: [String], saying waiting: String, reply: String) throws
        -> (status: Int32, output: String, errors: String)
    {
        let socket = directory.file("appears-\(UUID().uuidString.prefix(8)).sock")
        let classify = try RunningCommand(sift, ["classify", "--json"] + waitOption + ["--socket", socket, "hello"])
        XCTAssertTrue(classify.waitForErrors(containing: waiting), classify.errorText)
        let standIn = try ScriptedSocket(path: socket, reply: reply)
        defer { withExtendedLifetime(standIn) {} }
        return try XCTUnwrap(classify.finish())
    }

    /// `--timeout`: a socket that accepts and never answers ends in exit 4 with a clear message.
    func testTimeoutAgainstASocketThatNeverAnswers() throws {
        let silent = try ScriptedSocket(path: directory.file("silent.sock"), reply: nil)
        for command in [["health"], ["classify", "hello"], ["correct", "5", "spam"]] {
            let result = try BuiltExecutable.run(sift, command + ["--timeout", "0.3", "--socket", silent.path])
            XCTAssertEqual(result.status, 4, "\(command): \(result.errors)")
            XCTAssertTrue(result.errors.contains("siftd did not answer within 0.3 s"), "\(command): \(result.errors)")
        }
        XCTAssertEqual(try BuiltExecutable.run(sift, ["health", "--timeout", "0", "--socket", silent.path]).status, 64)
    }

    func testHintForAMissingSocket() throws {
        let missing = try BuiltExecutable.run(sift, ["stats", "--socket", directory.file("nobody.sock")])
        XCTAssertEqual(missing.status, 3)
        for hint in ["no siftd socket at \(directory.file("nobody.sock")) (No such file or directory)", "Is siftd running?",
                     "systemctl status siftd.socket", "$SIFT_SOCKET", "--wait-ready"] {
            XCTAssertTrue(missing.errors.contains(hint), "\(hint): \(missing.errors)")
        }
    }

    /// A socket file left by a siftd that is gone: connect() is refused.
    func testHintForAStaleSocket() throws {
        let path = directory.file("stale.sock")
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertEqual(SocketFile.withUnixAddress(path) { bind(listener, $0, $1) }, 0)
        close(listener)  // the file stays, nobody listens
        let stale = try BuiltExecutable.run(sift, ["health", "--socket", path])
        XCTAssertEqual(stale.status, 3)
        XCTAssertTrue(stale.errors.contains("nothing listens on \(path) (Connection refused)"), stale.errors)
        XCTAssertTrue(stale.errors.contains("not running"), stale.errors)
    }

    /// A socket this user may not connect to: the hint names who may. As root (who may connect
    /// to anything), the command runs as nobody, from a copy of sift nobody can execute.
    func testHintForASocketThisUserMayNotUse() throws {
        let standIn = try ScriptedSocket(path: directory.file("closed.sock"), reply: #"{"status":"ok"}"#)
        var command = [sift.path]
        let expected: String
        if getuid() == 0 {
            let setpriv = "/usr/bin/setpriv"
            guard FileManager.default.isExecutableFile(atPath: setpriv) else { throw XCTSkip("needs \(setpriv) to run sift as another user than root") }
            chmod(directory.path, 0o755)
            chmod(standIn.path, 0o660)
            let copy = directory.file("sift")
            try FileManager.default.copyItem(atPath: sift.path, toPath: copy)
            chmod(copy, 0o755)
            command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", copy]
            expected = "members of root may connect (sudo usermod -aG root $USER"
        } else {
            chmod(standIn.path, 0)
            expected = "only \(String(cString: getpwuid(getuid()).pointee.pw_name)) (and root) may connect"
        }
        let result = try BuiltExecutable.run(URL(fileURLWithPath: command[0]), Array(command.dropFirst()) + ["health", "--socket", standIn.path])
        XCTAssertEqual(result.status, 3, result.errors)
        XCTAssertTrue(result.errors.contains("not allowed to connect to \(standIn.path) (Permission denied)"), result.errors)
        XCTAssertTrue(result.errors.contains(expected), result.errors)
    }

    /// Outside the checkout `../shared` is not there: the error names the option and SIFT_SHARED.
    func testBenchTokenizerWithoutSharedFilesNamesTheOption() throws {
        let nowhere = directory.file("no-shared")
        let result = try BuiltExecutable.run(sift, ["bench", "tokenizer"], environment: ["SIFT_SHARED": nowhere, "SIFT_VOCAB": ""])
        XCTAssertNotEqual(result.status, 0)
        for hint in ["\(nowhere)/data/gpt2-tokenizer not found", "--vocab DIR", "SIFT_SHARED"] {
            XCTAssertTrue(result.errors.contains(hint), "\(hint): \(result.errors)")
        }
    }
}
