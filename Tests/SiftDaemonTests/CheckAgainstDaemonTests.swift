import Foundation
import SiftMail
import TestSupport
import XCTest
@testable import SiftDaemon

/// `sift check` against a real siftd whose spam threshold is 0, so every message is spam: the
/// verdict, the stored text and the passthrough bytes of a real corpus message.
final class CheckAgainstDaemonTests: DaemonTestCase {
    private var siftd: DaemonFixture!
    private var sift: URL!

    override func setUp() async throws {
        sift = try BuiltExecutable.url("sift", override: "SIFT_BINARY")
        siftd = try await start { $0.classify = ClassifyThresholds(spam: 0) }
    }

    func testCorpusMessageIsCheckedStoredAsModelTextAndPassedThrough() throws {
        let file = try SharedFixtures.require("data/spamassassin-public-corpus/easy_ham/00001.7c53336b37003a9286aba55d2945844c")
        let raw = try String(contentsOf: file, encoding: .utf8)
        let environment = ["SIFT_SOCKET": siftd.socketPath]

        let checked = try BuiltExecutable.run(sift, ["check", file.path], environment: environment)
        XCTAssertEqual(checked.status, 1, checked.errors)
        let words = checked.output.split(separator: " ")
        XCTAssertEqual(words.first, "spam", checked.output)
        let id = try XCTUnwrap(words.first { $0.hasPrefix("id=") }.flatMap { Int64($0.dropFirst(3)) }, checked.output)
        // The journal writes predictions a few milliseconds after the reply: wait for the row.
        var stored: String?
        for _ in 0..<500 where stored == nil {
            stored = try siftd.daemon.context.store.message(id)?.text
            if stored == nil { usleep(10_000) }
        }
        XCTAssertEqual(stored, try MailText.modelText(of: Array(raw.utf8)), "siftd classified the model text")

        let passed = try BuiltExecutable.run(sift, ["check", "--passthrough"], input: raw, environment: environment)
        XCTAssertEqual(passed.status, 0, passed.errors)
        // The corpus file starts with an mbox envelope line, which stays first.
        var lines = passed.output.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[0].hasPrefix("From exmh-workers-admin@redhat.com "), passed.output.prefix(200).description)
        XCTAssertTrue(lines[1].hasPrefix("X-Sift-Status: spam; p="), passed.output.prefix(200).description)
        XCTAssertTrue(lines[1].contains("; model=") && lines[1].contains("; id="), String(lines[1]))
        XCTAssertEqual(lines[2], "X-Spam-Flag: YES")
        lines.removeSubrange(1...2)
        XCTAssertEqual(lines.joined(separator: "\n"), raw, "every other byte unchanged")
    }
}
