import Foundation
import TestSupport
import XCTest
@testable import SiftDaemon

/// docs/mail.md's procmail recipe, as printed there, run by the real procmail against a siftd:
/// a spam verdict files the message in the spam folder with Sift's headers, a ham one delivers
/// it, and a daemon that is gone still delivers it untouched (fail-open).
final class MailRecipeTests: DaemonTestCase {
    func testTheProcmailRecipeFilesSpamAndFailsOpen() async throws {
        let procmail = try Self.requireProcmail()
        let sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        let directory = try ShortTemporaryDirectory()
        let message = Array("Message-ID: <r1@example.com>\nSubject: cheap pills\nFrom: Seller <seller@example.com>\n\nBuy now\n".utf8)

        // Everything is spam from P(spam) 0.001 on, nothing from 0.999.
        var daemon = try await start { $0.classify = ClassifyThresholds(spam: 0.001) }
        var rc = try Self.writeRecipe(sift: sift.path, socket: daemon.socketPath, in: directory)

        let first = try await Self.run(procmail, rc: rc, message: message)
        XCTAssertEqual(first, 0)
        let filed = try String(contentsOfFile: directory.file("spam"), encoding: .utf8)
        XCTAssertTrue(filed.contains("X-Spam-Flag: YES\n"), filed)
        XCTAssertTrue(filed.contains("X-Sift-Status: spam; p="), filed)
        XCTAssertTrue(filed.contains("Subject: cheap pills\nFrom: Seller <seller@example.com>\n\nBuy now\n"), filed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("inbox")))

        try await fixture?.stop()
        daemon = try await start { $0.classify = ClassifyThresholds(spam: 0.999) }
        rc = try Self.writeRecipe(sift: sift.path, socket: daemon.socketPath, in: directory)
        let second = try await Self.run(procmail, rc: rc, message: message)
        XCTAssertEqual(second, 0)
        let delivered = try String(contentsOfFile: directory.file("inbox"), encoding: .utf8)
        XCTAssertTrue(delivered.contains("X-Spam-Flag: NO\n"), delivered)

        // The daemon gone: delivered as it came.
        try await fixture?.stop()
        fixture = nil
        try FileManager.default.removeItem(atPath: directory.file("inbox"))
        let third = try await Self.run(procmail, rc: rc, message: message)
        XCTAssertEqual(third, 0)
        let unchecked = try String(contentsOfFile: directory.file("inbox"), encoding: .utf8)
        XCTAssertFalse(unchecked.contains("X-Sift-Status"), unchecked)
        XCTAssertTrue(unchecked.contains("Subject: cheap pills\n"), unchecked)
    }

    /// The procmail block of docs/mail.md, with this build's sift on this test's socket and the
    /// folders in a temporary directory; procmail's own settings before it.
    /// docs/mail.md's procmail recipe for `socket`, filing spam to `spam` and delivering to
    /// `inbox` in `directory`, written as its `procmailrc`; returns that file's path.
    private static func writeRecipe(sift: String, socket: String, in directory: ShortTemporaryDirectory) throws -> String {
        let path = directory.file("procmailrc")
        try recipe(sift: sift, socket: socket, spamFolder: directory.file("spam"), inbox: directory.file("inbox"))
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static func recipe(sift: String, socket: String, spamFolder: String, inbox: String) throws -> String {
        let doc = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("docs/mail.md"), encoding: .utf8)
        let section = try XCTUnwrap(doc.range(of: "### procmail\n\n```\n"), "docs/mail.md has no procmail block")
        let end = try XCTUnwrap(doc.range(of: "```", range: section.upperBound..<doc.endIndex), "docs/mail.md: the procmail block is not closed")
        let block = String(doc[section.upperBound..<end.lowerBound])
        XCTAssertTrue(block.contains("/usr/local/bin/sift check --passthrough"), block)
        XCTAssertTrue(block.contains("$HOME/Mail/spam"), block)
        let adapted = block
            .replacingOccurrences(of: "/usr/local/bin/sift check --passthrough", with: "\(sift) check --passthrough --socket \(socket)")
            .replacingOccurrences(of: "$HOME/Mail/spam", with: spamFolder)
        return "SHELL=/bin/sh\nDEFAULT=\(inbox)\nLOGFILE=\(inbox).log\n" + adapted
    }

    private static func requireProcmail(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = "/usr/bin/procmail"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        let message = "procmail is not installed: scripts/install-deps (or apt-get install procmail)"
        if SharedFixtures.isCI {
            XCTFail(message, file: file, line: line)
            throw XCTSkip(message)
        }
        throw XCTSkip("skipped: \(message)")
    }

    /// `procmail -m RC` with `message` on stdin; waits without holding a thread of the pool.
    private static func run(_ procmail: String, rc: String, message: [UInt8]) async throws -> Int32 {
        let input = rc + ".in"
        _ = FileManager.default.createFile(atPath: input, contents: Data(message))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: procmail)
        process.arguments = ["-m", rc]
        process.standardInput = FileHandle(forReadingAtPath: input)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
