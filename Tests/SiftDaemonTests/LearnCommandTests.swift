import Foundation
import SiftMail
import SpamStore
import TestSupport
import XCTest
@testable import SiftDaemon

/// `sift learn` against a siftd: Maildirs and mboxes as labels, duplicates, unreadable files,
/// the summary and exit codes.
final class LearnCommandTests: DaemonTestCase {
    private var siftd: DaemonFixture!
    private var sift: URL!

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        siftd = try await start()
    }

    private func learn(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try BuiltExecutable.run(sift, ["learn"] + arguments, environment: ["SIFT_SOCKET": siftd.socketPath])
    }

    private func write(_ name: String, _ text: String) throws {
        let url = URL(fileURLWithPath: siftd.directory.file(name))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    private func message(_ id: String, _ subject: String) -> String {
        "Message-ID: <\(id)@example.com>\nFrom: Sender <s@example.com>\nSubject: \(subject)\n\nBody of \(subject).\n"
    }

    private var labeled: [LabeledMessage] {
        get throws { try siftd.daemon.context.store.labeledMessages(holdoutPercent: 0).all }
    }

    func testMaildirAndMboxWithADuplicateAcrossThem() throws {
        try write("Maildir/cur/1.host:2,S", message("a", "cheap pills"))
        try write("Maildir/new/2.host", message("b", "free money"))
        try write("Maildir/tmp/3.host", message("c", "still being delivered"))
        // The mbox repeats b (same Message-ID, other envelope) and adds d.
        try write("spam.mbox", "From x Thu Aug 22 2002\n" + message("b", "free money") + "\nFrom y Fri Aug 23 2002\n" + message("d", "winner"))

        let result = try learn(["--spam", siftd.directory.file("Maildir"), siftd.directory.file("spam.mbox")])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "learned 3 as spam from 4 messages; 1 duplicates, 0 unreadable, 0 refused\n")
        XCTAssertFalse(result.errors.contains("\r"), "no progress bar when stderr is not a terminal: \(result.errors)")
        XCTAssertEqual(result.errors, "")

        let stored = try labeled
        XCTAssertEqual(stored.map(\.label), ["spam", "spam", "spam"])
        let expected = try ["cheap pills", "free money", "winner"].map { subject in
            try MailText.modelText(of: Array(message("?", subject).utf8))
        }
        XCTAssertEqual(Set(stored.map(\.text)), Set(expected), "the siftd stores the model text")
    }

    func testUnreadableMessagesAreReportedAndTheRestLearned() throws {
        try write("folder/good.eml", message("g", "hello"))
        try write("folder/empty.eml", "Subject:\n\n\n")
        try write("folder/picture.png", "\u{89}PNG\r\n\u{1a}\n")
        let result = try learn(["--ham", siftd.directory.file("folder")])
        XCTAssertEqual(result.status, 1, "some failed")
        XCTAssertEqual(result.output, "learned 1 as ham from 3 messages; 0 duplicates, 2 unreadable, 0 refused\n")
        XCTAssertTrue(result.errors.contains("folder/empty.eml: the message has no subject"), result.errors)
        XCTAssertTrue(result.errors.contains("folder/picture.png: not a mail message"), result.errors)
        XCTAssertEqual(try labeled.map(\.label), ["ham"])
    }

    func testAMissingPathSendsNothing() throws {
        try write("one.eml", message("one", "first"))
        let result = try learn(["--spam", siftd.directory.file("one.eml"), siftd.directory.file("missing")])
        XCTAssertEqual(result.status, 66)
        XCTAssertTrue(result.errors.contains("no such file or directory; nothing sent"), result.errors)
        XCTAssertEqual(try labeled.count, 0)
    }

    func testRefusalsAreCountedWithTheirReasonsAndOverloadedIsRetried() throws {
        try write("box.mbox", "From x\n" + message("a", "one") + "\nFrom y\n" + message("b", "two"))
        let refusing = try ScriptedSocket(path: siftd.directory.file("refuse.sock"),
                                          reply: #"{"error":{"code":"not_authorized","message":"uid 1000 may not label"}}"#)
        let refused = try BuiltExecutable.run(sift, ["learn", "--spam", siftd.directory.file("box.mbox"), "--socket", refusing.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.output, "learned 0 as spam from 2 messages; 0 duplicates, 0 unreadable, 2 refused (not_authorized 2)\n")
        XCTAssertTrue(refused.errors.contains("box.mbox#2: not_authorized: uid 1000 may not label"), refused.errors)

        defer { withExtendedLifetime(refusing) {} }
        let busy = try ScriptedSocket(path: siftd.directory.file("busy.sock"), reply: #"{"error":{"code":"overloaded","message":"busy"}}"#)
        let overloaded = try BuiltExecutable.run(sift, ["learn", "--ham", siftd.directory.file("box.mbox"), "--socket", busy.path, "--window", "1"])
        XCTAssertEqual(overloaded.status, 1)
        XCTAssertTrue(overloaded.output.hasSuffix("2 refused (overloaded 2)\n"), overloaded.output)

        withExtendedLifetime(busy) {}
        let unreachable = try BuiltExecutable.run(sift, ["learn", "--spam", siftd.directory.file("box.mbox"), "--socket", siftd.directory.file("none.sock")])
        XCTAssertEqual(unreachable.status, 3, "cannot connect")
    }

    func testForgetWithdrawsTheLabelsLearnedFromTheSameMail() throws {
        try write("box.mbox", "From x\n" + message("a", "one") + "\nFrom y\n" + message("b", "two"))
        XCTAssertEqual(try learn(["--spam", siftd.directory.file("box.mbox")]).status, 0)
        XCTAssertEqual(try labeled.count, 2)
        let result = try learn(["--forget", siftd.directory.file("box.mbox")])
        XCTAssertEqual(result.status, 0, result.output + result.errors)
        XCTAssertEqual(result.output, "forgot 2 labels of 2 messages (0 had none) from 2 messages; 0 duplicates, 0 unreadable, 0 refused\n")
        XCTAssertEqual(try labeled.count, 0)
    }

    func testLearningTheCorpusSpamFolder() throws {
        let spam = try SharedFixtures.require("data/spamassassin-public-corpus/spam")
        let result = try learn(["--spam", spam.path])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "learned 500 as spam from 500 messages; 0 duplicates, 0 unreadable, 0 refused\n")
        XCTAssertEqual(try labeled.count, 500)
    }
}
