import Foundation
import XCTest
@testable import SiftDaemon

/// `spamc.*`: off unless a path is given, set from the file, the environment or `--spamc-socket`,
/// with the same checks as the main socket.
final class SpamcConfigTests: XCTestCase {
    private func load(yaml: String? = nil, overrides: [String: String] = [:], environment: [String: String] = [:]) async throws -> DaemonConfig {
        var file: String?
        let directory = try ShortTemporaryDirectory()
        if let yaml {
            file = directory.file("siftd.yaml")
            try yaml.write(toFile: file!, atomically: true, encoding: .utf8)
        }
        return try await DaemonConfigLoader(file: file, overrides: overrides, environment: environment).load()
    }

    func testOffByDefaultAndWhenEmpty() async throws {
        let none = try await load()
        XCTAssertNil(none.spamc.socket)
        let empty = try await load(yaml: "spamc:\n  socket: \"\"\n  mode: \"0600\"\n")
        XCTAssertNil(empty.spamc.socket)
    }

    func testFileEnvironmentAndOptionInThatOrder() async throws {
        let yaml = """
            spamc:
              socket: /tmp/file-spamd.sock
              mode: "0666"
              group: root
              max_message_bytes: 2048
              timeout_seconds: 5
            """
        let fromFile = try await load(yaml: yaml)
        let socket = try XCTUnwrap(fromFile.spamc.socket)
        XCTAssertEqual(socket.path, "/tmp/file-spamd.sock")
        XCTAssertEqual(socket.mode, 0o666)
        XCTAssertEqual(socket.group, "root")
        XCTAssertEqual(fromFile.spamc.maxMessageBytes, 2048)
        XCTAssertEqual(fromFile.spamc.timeoutSeconds, 5)

        let environment = ["SIFT_SPAMC_SOCKET": "/tmp/env-spamd.sock"]
        let fromEnvironment = try await load(yaml: yaml, environment: environment)
        XCTAssertEqual(fromEnvironment.spamc.socket?.path, "/tmp/env-spamd.sock")
        let fromOption = try await load(yaml: yaml, overrides: ["spamc.socket": "/tmp/opt-spamd.sock"], environment: environment)
        XCTAssertEqual(fromOption.spamc.socket?.path, "/tmp/opt-spamd.sock")
        XCTAssertEqual(fromOption.spamc.socket?.mode, 0o666, "the file's permissions still apply")
    }

    private func expectError(_ key: String, yaml: String? = nil, environment: [String: String] = [:], line: UInt = #line) async {
        do {
            _ = try await load(yaml: yaml, environment: environment)
            XCTFail("accepted a bad \(key)", line: line)
        } catch let error as DaemonConfigError {
            XCTAssertEqual(error.key, key, "\(error)", line: line)
        } catch {
            XCTFail("unexpected \(error)", line: line)
        }
    }

    func testBadValuesNameTheirKey() async {
        await expectError("spamc.socket", environment: ["SIFT_SPAMC_SOCKET": "/tmp/" + String(repeating: "x", count: 120)])
        await expectError("spamc.socket", environment: ["SIFT_SOCKET_PATH": "/tmp/same.sock", "SIFT_SPAMC_SOCKET": "/tmp/same.sock"])
        await expectError("spamc.mode", environment: ["SIFT_SPAMC_SOCKET": "/tmp/x.sock", "SIFT_SPAMC_MODE": "rw"])
        await expectError("spamc.owner", environment: ["SIFT_SPAMC_SOCKET": "/tmp/x.sock", "SIFT_SPAMC_OWNER": "no-such-user-here"])
        await expectError("spamc.max_message_bytes", environment: ["SIFT_SPAMC_MAX_MESSAGE_BYTES": "10"])
        await expectError("spamc.timeout_seconds", environment: ["SIFT_SPAMC_TIMEOUT_SECONDS": "0"])
        await expectError("spamc.max_mesage_bytes", yaml: "spamc:\n  max_mesage_bytes: 5\n")
    }
}
