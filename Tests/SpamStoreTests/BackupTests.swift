import Foundation
import XCTest
@testable import SpamStore

final class BackupTests: StoreTestCase {
    func testBackupOpensAndHasTheRows() throws {
        let ids = try store.recordLabeledMessages((0..<100).map { LabeledText(text: "m\($0)", label: "ham") }, source: .import)
        try store.setLabel("spam", forMessage: ids[3], source: .correction)
        try store.registerCandidateModel(version: "1", path: "/m/1", baseModelSHA256: String(repeating: "0", count: 64))
        let backupURL = directory.url.appendingPathComponent("backup.sqlite")

        try store.backup(to: backupURL)
        // Writes after the backup do not reach it.
        try store.setLabel("ham", forMessage: ids[3], source: .correction)

        let copy = try Store(path: backupURL.path)
        defer { try? copy.close() }
        XCTAssertEqual(try copy.labeledMessages(holdoutPercent: 0).training.count, 100)
        XCTAssertEqual(try copy.currentLabel(forMessage: ids[3]), "spam")
        XCTAssertEqual(try copy.labelHistory(forMessage: ids[3]).count, 2)
        XCTAssertEqual(try copy.models().map(\.version), ["1"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.contains("partial") }
        XCTAssertEqual(leftovers, [])
    }

    func testBackupReplacesAnOlderBackup() throws {
        let backupURL = directory.url.appendingPathComponent("backup.sqlite")
        _ = try store.recordLabeledMessage(LabeledText(text: "first", label: "ham"), source: .api)
        try store.backup(to: backupURL)
        _ = try store.recordLabeledMessage(LabeledText(text: "second", label: "ham"), source: .api)
        try store.backup(to: backupURL)

        let copy = try Store(path: backupURL.path)
        defer { try? copy.close() }
        XCTAssertEqual(try copy.labeledMessages(holdoutPercent: 0).training.map(\.text), ["first", "second"])
    }

    func testBackupIntoAMissingDirectoryFails() throws {
        XCTAssertThrowsError(try store.backup(to: directory.url.appendingPathComponent("no/such/dir/backup.sqlite")))
    }
}
