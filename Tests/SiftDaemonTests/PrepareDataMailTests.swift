import Foundation
import SiftJSON
import TestSupport
import XCTest

/// `sift prepare-data` reading mail: label folders, --label, --map, duplicates.
final class PrepareDataMailTests: XCTestCase {
    private var sift: URL!
    private var directory: TemporaryDirectory!

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        directory = try TemporaryDirectory()
    }

    private func write(_ name: String, _ text: String) throws {
        let url = directory.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// A split file's rows as "label<TAB>text": mail's model text has line breaks, so the split is
    /// JSON lines and keeps them (the text trained on is the text siftd classifies).
    private func rows(_ name: String) throws -> [String] {
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path("out/\(name).tsv")), "TSV would lose the line breaks")
        let lines = try String(contentsOf: URL(fileURLWithPath: directory.path("out/\(name).jsonl")), encoding: .utf8).split(separator: "\n")
        return try lines.map { line in
            let row = try JSONParser.parse(Array(line.utf8))
            return (row["label"]?.stringValue ?? "?") + "\t" + (row["text"]?.stringValue ?? "?")
        }
    }

    private func allRows() throws -> [String] {
        try ["train", "validation", "test"].flatMap(rows)
    }

    func testLabelFoldersWithAnMboxAMaildirAndADuplicate() throws {
        try write("mail/spam/1.eml", "Message-ID: <s1@x>\nSubject: pills\n\ncheap pills\n")
        try write("mail/spam/box.mbox", "From a\nMessage-ID: <s2@x>\nSubject: money\n\nfree money\n\nFrom b\nMessage-ID: <s1@x>\nSubject: pills\n\ncheap pills\n")
        try write("mail/inbox/cur/1.host", "Message-ID: <h1@x>\nSubject: lunch\n\nlunch at noon\n")
        try write("mail/inbox/new/2.host", "Subject: notes\n\nmeeting notes\n")
        try write("mail/README", "not in a label folder\n")
        let result = try BuiltExecutable.run(sift, ["prepare-data", directory.path("mail"), "--map", "inbox=ham", "--no-balance",
                                                    "--out", directory.path("out")])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("read 4 messages from \(directory.path("mail")) (ham 2, spam 2)"), result.output)
        XCTAssertTrue(result.output.contains("1 duplicate messages dropped, 0 unreadable skipped"), result.output)
        XCTAssertTrue(result.output.contains("skipped \(directory.path("mail/README")): not in a label folder"), result.output)
        XCTAssertEqual(try allRows().sorted(), [
            "ham\tSubject: lunch\nFrom: \n\nlunch at noon",
            "ham\tSubject: notes\nFrom: \n\nmeeting notes",
            "spam\tSubject: money\nFrom: \n\nfree money",
            "spam\tSubject: pills\nFrom: \n\ncheap pills",
        ])
    }

    func testOneMailboxWithLabel() throws {
        try write("spam.mbox", "From a\nSubject: one\n\nfirst\n\nFrom b\nSubject: two\n\nsecond\n")
        let result = try BuiltExecutable.run(sift, ["prepare-data", directory.path("spam.mbox"), "--label", "spam", "--no-balance",
                                                    "--train-fraction", "1", "--validation-fraction", "0", "--out", directory.path("out")])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(try rows("train").sorted(), ["spam\tSubject: one\nFrom: \n\nfirst", "spam\tSubject: two\nFrom: \n\nsecond"])
    }

    func testAMaildirWithoutLabelIsAClearError() throws {
        try write("Maildir/cur/1.host", "Subject: a\n\nb\n")
        let result = try BuiltExecutable.run(sift, ["prepare-data", directory.path("Maildir"), "--out", directory.path("out")])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("is a Maildir: give its label with --label"), result.errors)
    }

    func testTheSharedCorpus() throws {
        let corpus = try SharedFixtures.require("data/spamassassin-public-corpus")
        let result = try BuiltExecutable.run(sift, ["prepare-data", corpus.path, "--map", "easy_ham=ham", "--out", directory.path("out")])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("read 3000 messages from \(corpus.path) (ham 2500, spam 500)"), result.output)
        XCTAssertTrue(result.output.contains("0 duplicate messages dropped, 0 unreadable skipped"), result.output)
        XCTAssertTrue(result.output.contains("balanced to 1000 (ham 500, spam 500)"), result.output)
        XCTAssertTrue(result.output.contains("balancing dropped 2000 of 2500 ham (--no-balance keeps every row)"), result.output)
        XCTAssertEqual(try [rows("train").count, rows("validation").count, rows("test").count], [700, 100, 200])
        XCTAssertTrue(try rows("train").allSatisfy { $0.hasPrefix("ham\tSubject: ") || $0.hasPrefix("spam\tSubject: ") })
    }
}
