import Foundation
import TestSupport
import XCTest
@testable import SiftDaemon

/// The real siftd under systemd's protocols, without systemd: a NOTIFY_SOCKET listener checks
/// READY, STATUS, WATCHDOG, RELOADING and STOPPING; systemd-socket-activate passes the socket.
final class SystemdIntegrationTests: XCTestCase {
    func testNotifyMessagesFollowTheDaemonsLife() throws {
        let listener = try NotifySocketListener()
        let siftd = try SiftdProcess(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"])

        let ready = try XCTUnwrap(listener.receive(startingWith: "READY=1", timeout: 60), "no READY=1:\n\(siftd.log)")
        XCTAssertTrue(ready.contains("STATUS=serving model"), ready)
        // READY=1 means the socket accepts and the model answers.
        let client = try LineClient(socketPath: siftd.socketPath)
        client.setReceiveTimeout(seconds: 30)
        XCTAssertNotNil(try client.call(["op": "classify", "text": "free entry to win"])["message_id"])

        let status = try XCTUnwrap(listener.receive(startingWith: "STATUS=model", timeout: 30), "no periodic STATUS")
        XCTAssertTrue(status.contains("messages today"), status)
        XCTAssertNotNil(listener.receive(startingWith: "WATCHDOG=1", timeout: 10), "no watchdog ping with WATCHDOG_USEC set")

        siftd.signal(SIGHUP)
        let reloading = try XCTUnwrap(listener.receive(startingWith: "RELOADING=1", timeout: 30), "no RELOADING=1")
        XCTAssertTrue(reloading.contains("MONOTONIC_USEC="), reloading)
        XCTAssertNotNil(listener.receive(startingWith: "READY=1", timeout: 30), "no READY=1 after the reload")

        siftd.signal(SIGTERM)
        XCTAssertNotNil(listener.receive(startingWith: "STOPPING=1", timeout: 30), "no STOPPING=1")
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
    }

    func testAdoptsTheSocketSystemdPasses() throws {
        let activator = "/usr/bin/systemd-socket-activate"
        guard FileManager.default.isExecutableFile(atPath: activator) else {
            if SharedFixtures.isCI { return XCTFail("\(activator) is missing; scripts/install-deps installs systemd") }
            throw XCTSkip("skipped: \(activator) is not installed")
        }
        // The activator listens on the path and execs siftd (same pid) with the socket as fd 3.
        let siftd = try SiftdProcess(launcher: [activator, "-l", "{socket}"])
        let socket = siftd.socketPath
        try Self.waitUntilAnswering(socket: socket, log: { siftd.log })
        XCTAssertTrue(siftd.log.contains("socket activation"), siftd.log)
        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
        // systemd owns an activated socket's file: siftd leaves it for the next start.
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket))
    }

    /// Waits for a classify answer: the batcher runs, so the services (and their SIGTERM handling) have started.
    private static func waitUntilAnswering(socket: String, log: () -> String) throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let client = try? LineClient(socketPath: socket) {
                client.setReceiveTimeout(seconds: 30)
                if let reply = try? client.call(["op": "classify", "text": "are you there"]), reply["message_id"] != nil { return }
            }
            usleep(50_000)
        }
        XCTFail("no answer on the activated socket:\n\(log())")
    }
}
