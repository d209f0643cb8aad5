import Foundation
import XCTest
@testable import SiftDaemon

/// The SPAMC socket with requests spamc would never send: every one gets a spamd status line,
/// the connection closes cleanly, and the daemon keeps answering.
final class SpamcSocketTests: DaemonTestCase {
    private let mail = "Subject: hello\r\nFrom: a@example.org\r\n\r\nsee you at six\r\n"

    private func check(_ socket: String) throws -> String {
        try SpamdExchange.send("CHECK SPAMC/1.5\r\nContent-length: \(mail.utf8.count)\r\n\r\n\(mail)", to: socket)
    }

    func testPingGetsPong() async throws {
        let (_, socket) = try await startWithSpamc()
        XCTAssertEqual(try SpamdExchange.send("PING SPAMC/1.5\r\n\r\n", to: socket), "SPAMD/1.5 0 PONG\r\n")
    }

    func testCheckAnswersWithTheSpamHeaderAndNoBody() async throws {
        let (_, socket) = try await startWithSpamc(spamThreshold: 0.999)
        let reply = try check(socket)
        XCTAssertTrue(reply.hasPrefix("SPAMD/1.5 0 EX_OK\r\nSpam: False ; "), reply)
        XCTAssertTrue(reply.hasSuffix(" / 10.0\r\nContent-length: 0\r\n\r\n"), reply)
    }

    func testMalformedRequestsGetProtocolErrors() async throws {
        let (_, socket) = try await startWithSpamc()
        for request in [
            "FROB SPAMC/1.5\r\n\r\n",
            "CHECK HTTP/1.1\r\nContent-length: 1\r\n\r\nx",
            "CHECK SPAMC/1.5\r\n\r\nno length",
            "CHECK SPAMC/1.5\r\nContent-length: lots\r\n\r\nx",
            "CHECK SPAMC/1.5\r\nthis is not a header\r\nContent-length: 1\r\n\r\nx",
            "CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: \(mail.utf8.count)\r\n\r\n\(mail)",
            "TELL SPAMC/1.5\r\nSet: local\r\nContent-length: \(mail.utf8.count)\r\n\r\n\(mail)",
        ] {
            let reply = try SpamdExchange.send(request, to: socket)
            XCTAssertTrue(reply.hasPrefix("SPAMD/1.5 76 EX_PROTOCOL "), "\(request.debugDescription) -> \(reply.debugDescription)")
            XCTAssertTrue(reply.hasSuffix("\r\n\r\n"))
        }
        XCTAssertTrue(try check(socket).hasPrefix("SPAMD/1.5 0 EX_OK\r\n"))
    }

    func testAMessageCutShortIsAProtocolError() async throws {
        let (_, socket) = try await startWithSpamc()
        let reply = try SpamdExchange.send("CHECK SPAMC/1.5\r\nContent-length: 500\r\n\r\n\(mail)", to: socket, closeInput: true)
        XCTAssertTrue(reply.hasPrefix("SPAMD/1.5 76 EX_PROTOCOL the message ended after"), reply)
    }

    func testATooBigMessageIsRefusedAfterItIsReadAndTheDaemonGoesOn() async throws {
        let (_, socket) = try await startWithSpamc { $0.spamc.maxMessageBytes = 1024 }
        let big = "Subject: big\r\n\r\n" + String(repeating: "0123456789abcdef", count: 4096)
        let reply = try SpamdExchange.send("PROCESS SPAMC/1.5\r\nContent-length: \(big.utf8.count)\r\n\r\n\(big)", to: socket)
        XCTAssertTrue(reply.hasPrefix("SPAMD/1.5 65 EX_DATAERR message too big: \(big.utf8.count) bytes"), reply)
        XCTAssertTrue(try check(socket).hasPrefix("SPAMD/1.5 0 EX_OK\r\n"))
    }

    func testAMessageWithNothingToReadIsADataError() async throws {
        let (_, socket) = try await startWithSpamc()
        let reply = try SpamdExchange.send("CHECK SPAMC/1.5\r\nContent-length: 4\r\n\r\n \r\n\t", to: socket)
        XCTAssertTrue(reply.hasPrefix("SPAMD/1.5 65 EX_DATAERR "), reply)
    }

    func testInvalidUTF8InTheMessageIsClassified() async throws {
        let (_, socket) = try await startWithSpamc()
        let body: [UInt8] = Array("Subject: caf".utf8) + [0xE9, 0xFF] + Array("\r\n\r\nbody \u{00}".utf8) + [0xC3, 0x28]
        let reply = try SpamdExchange.send(Array("CHECK SPAMC/1.5\r\nContent-length: \(body.count)\r\n\r\n".utf8) + body, to: socket)
        XCTAssertTrue(reply.hasPrefix("SPAMD/1.5 0 EX_OK\r\nSpam: "), reply)
    }

    func testASilentClientTimesOut() async throws {
        let (_, socket) = try await startWithSpamc { $0.spamc.timeoutSeconds = 1 }
        let reply = try SpamdExchange.send("CHECK SPAMC/1.5\r\nContent-le", to: socket)
        XCTAssertTrue(reply.hasPrefix("SPAMD/1.5 79 EX_TIMEOUT "), reply)
    }

    func testAProbeThatSendsNothingGetsNoReply() async throws {
        let (_, socket) = try await startWithSpamc()
        XCTAssertEqual(try SpamdExchange.send("", to: socket, closeInput: true), "")
        XCTAssertEqual(try SpamdExchange.send("SKIP SPAMC/1.5\r\n\r\n", to: socket), "")
    }

    func testTheSocketFileHasTheConfiguredModeAndGoesAwayAtShutdown() async throws {
        let (fixture, socket) = try await startWithSpamc { $0.spamc.socket?.mode = 0o600 }
        var info = stat()
        XCTAssertEqual(lstat(socket, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        try await fixture.stop()
        self.fixture = nil
        XCTAssertNotEqual(lstat(socket, &info), 0, "the socket file is removed at shutdown")
    }
}
