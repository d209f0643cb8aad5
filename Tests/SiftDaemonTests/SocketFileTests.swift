import Foundation
import XCTest
@testable import SiftDaemon

final class SocketFileTests: XCTestCase {
    func testAStaleSocketFileIsReplaced() async throws {
        let directory = try ShortTemporaryDirectory()
        var config = try DaemonFixture.config(in: directory)
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        // A socket file nobody listens on, as a daemon that was killed leaves behind.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertEqual(SocketFile.withUnixAddress(config.socket.path) { bind(fd, $0, $1) }, 0)
        close(fd)
        XCTAssertEqual(SocketFile.probe(config.socket.path), .stale)

        config.socket.mode = 0o600
        let daemon = try await Daemon.start(config: config, logger: DaemonFixture.quietLogger)
        let running = Task { try await daemon.run() }
        let client = try LineClient(socketPath: config.socket.path)
        XCTAssertEqual(try client.call(["op": "health"])["status"], .string("ok"))
        var info = stat()
        XCTAssertEqual(stat(config.socket.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        await daemon.shutdown()
        try await running.value
        XCTAssertFalse(FileManager.default.fileExists(atPath: config.socket.path), "removed at shutdown")
    }

    func testALiveSocketIsNotStolen() async throws {
        let fixture = try await DaemonFixture.start()
        let otherDirectory = try ShortTemporaryDirectory()
        var second = try DaemonFixture.config(in: otherDirectory)
        second.socket.path = fixture.socketPath
        do {
            _ = try await Daemon.start(config: second, logger: DaemonFixture.quietLogger)
            XCTFail("a second daemon took over a live socket")
        } catch {
            XCTAssertTrue("\(error)".contains("another daemon is listening on \(fixture.socketPath)"), "\(error)")
        }
        // The first daemon is untouched.
        let client = try fixture.connect()
        XCTAssertEqual(try client.call(["op": "health"])["status"], .string("ok"))
        try await fixture.stop()
    }

    func testSomethingThatIsNotASocketIsLeftAlone() async throws {
        let directory = try ShortTemporaryDirectory()
        let config = try DaemonFixture.config(in: directory)
        try "precious".write(toFile: config.socket.path, atomically: true, encoding: .utf8)
        do {
            _ = try await Daemon.start(config: config, logger: DaemonFixture.quietLogger)
            XCTFail("started over a regular file")
        } catch {
            XCTAssertTrue("\(error)".contains("is not a socket"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: config.socket.path, encoding: .utf8), "precious")
    }
}
