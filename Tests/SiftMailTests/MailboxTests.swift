import Foundation
import SiftMail
import TestSupport
import XCTest

/// Finding mail under a path: single files, Maildirs, folders, and the shared corpus.
final class MailboxTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUp() async throws {
        directory = try TemporaryDirectory()
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws {
        let url = directory.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    private func write(_ name: String, _ text: String) throws { try write(name, Array(text.utf8)) }

    private func relative(_ path: String) -> String { String(path.dropFirst(directory.url.path.count + 1)) }

    func testMaildirReadsCurThenNewAndSkipsTmpAndDotFiles() throws {
        try write("box/new/2.host", "Subject: new\n\nb\n")
        try write("box/cur/1.host:2,S", "From looks-like-an-envelope\nSubject: cur\n\na\n\nFrom x\n\nnot split\n")
        try write("box/tmp/3.host", "Subject: half written\n\n")
        try write("box/cur/.hidden", "Subject: hidden\n\n")
        let files = try Mailbox.files(at: directory.path("box"))
        XCTAssertEqual(files.map { relative($0.path) }, ["box/cur/1.host:2,S", "box/new/2.host"])
        XCTAssertEqual(files.map(\.kind), [.maildirEntry, .maildirEntry])
        let messages = try files.flatMap { $0.messages() }.map { try $0.get() }
        XCTAssertEqual(messages.count, 2, "a Maildir entry is one message, never split")
        XCTAssertTrue(String(decoding: messages[0].bytes, as: UTF8.self).hasSuffix("\nFrom x\n\nnot split\n"))
    }

    func testFolderIsWalkedInOrderAndNonMailIsReportedNotRead() throws {
        try write("folder/b/2.eml", "Subject: second\n\nb\n")
        try write("folder/a.eml", "Subject: first\n\na\n")
        try write("folder/c.mbox", "From x\nSubject: third\n\nc\n\nFrom y\nSubject: fourth\n\nd\n")
        try write("folder/image.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        try write("folder/.DS_Store", [0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31])
        try write("folder/maildir/cur/9.host", "Subject: fifth\n\ne\n")
        try write("folder/maildir/tmp/10.host", "Subject: in delivery\n\n")
        let files = try Mailbox.files(at: directory.path("folder"))
        XCTAssertEqual(files.map { relative($0.path) },
                       ["folder/a.eml", "folder/b/2.eml", "folder/c.mbox", "folder/image.png", "folder/maildir/cur/9.host"])
        var subjects: [String] = []
        var failures: [MailboxError] = []
        for result in files.flatMap({ $0.messages() }) {
            switch result {
            case let .success(message): subjects.append(try MailText.modelText(of: message.bytes).split(separator: "\n")[0].description)
            case let .failure(error): failures.append(error)
            }
        }
        XCTAssertEqual(subjects, ["Subject: first", "Subject: second", "Subject: third", "Subject: fourth", "Subject: fifth"])
        XCTAssertEqual(failures, [.notMail(path: directory.path("folder/image.png"))])
    }

    func testAFileGivenByPathIsReadEvenIfItDoesNotLookLikeMail() throws {
        try write("note.txt", "just some words, no headers\n")
        let messages = try Mailbox.files(at: directory.path("note.txt")).flatMap { $0.messages() }.map { try $0.get() }
        XCTAssertEqual(messages.map(\.bytes), [Array("just some words, no headers\n".utf8)])
    }

    func testMissingPathIsAnError() {
        XCTAssertThrowsError(try Mailbox.files(at: directory.path("nowhere"))) { error in
            XCTAssertEqual(error as? MailboxError, .notFound(path: directory.path("nowhere")))
        }
    }

    /// The corpus files start with a `From ` envelope and are read as one-message mboxes: each must
    /// give exactly one message, whose model text is that of the file read whole.
    func testEveryCorpusFileIsOneMessageWithTheSameModelText() throws {
        let root = try SharedFixtures.require(Mail.corpusPath)
        var count = 0
        for folder in ["spam", "easy_ham"] {
            for file in try Mailbox.files(at: root.appendingPathComponent(folder).path) {
                let messages = try file.messages().map { try $0.get() }
                XCTAssertEqual(messages.count, 1, file.path)
                let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path)))
                // 15 files hold mboxrd-quoted lines (`>From `, `>>From `), which reading unquotes.
                let quoted = raw.split(separator: UInt8(ascii: "\n")).contains { line in
                    line.first == UInt8(ascii: ">") && line.drop { $0 == UInt8(ascii: ">") }.starts(with: Array("From ".utf8))
                }
                if !quoted {
                    XCTAssertEqual(try MailText.modelText(of: messages[0].bytes), try MailText.modelText(of: raw), file.path)
                }
                count += messages.count
            }
        }
        XCTAssertEqual(count, 3000)
    }
}
