import Foundation
import Logging
import SpamStore
import XCTest
@testable import SiftDaemon

final class JournalTests: XCTestCase {
    private var directory: ShortTemporaryDirectory!
    private var storePath: String { directory.file("sift.sqlite") }

    override func setUpWithError() throws { directory = try ShortTemporaryDirectory() }
    override func tearDown() { directory = nil }

    private func message(_ text: String) -> ClassifiedMessage {
        ClassifiedMessage(
            text: text, receivedAt: Date(), peer: Peer(pid: 1, uid: 2, gid: 3),
            prediction: PredictionRecord(modelVersion: "t", label: "ham", probability: 0.8, latencyMilliseconds: 1))
    }

    private func journal(_ store: Store, delayMilliseconds: Int = 20, idBlock: Int = 8) -> Journal {
        var config = DaemonConfig.Journal()
        config.maxDelayMilliseconds = delayMilliseconds
        config.idBlock = idBlock
        config.maxBatch = 16
        return Journal(store: store, settings: Journal.Settings(config), metrics: DaemonMetrics(), logger: DaemonFixture.quietLogger)
    }

    func testIDsAreUniqueAndEveryMessageIsWrittenByShutdown() async throws {
        let store = try Store(path: storePath)
        let journal = journal(store, idBlock: 8)
        try journal.open()
        let writer = Task { try await journal.run() }
        var ids: [MessageID] = []
        for round in 0..<20 {  // more than several id blocks
            ids += try journal.append((0..<5).map { message("round \(round) text \($0)") })
        }
        XCTAssertEqual(Set(ids).count, 100)
        XCTAssertEqual(ids, ids.sorted())
        writer.cancel()  // stop: writes what is queued, then returns
        try await writer.value
        XCTAssertEqual(journal.pendingCount, 0)
        for (index, id) in ids.enumerated() {
            XCTAssertEqual(try store.message(id)?.text, "round \(index / 5) text \(index % 5)")
        }
        try store.close()
    }

    func testWaitingForAnIDHurriesItsWrite() async throws {
        let store = try Store(path: storePath)
        let journal = journal(store, delayMilliseconds: 60_000)  // would otherwise wait a minute
        try journal.open()
        let writer = Task { try await journal.run() }
        let id = try journal.append([message("hurry")])[0]
        let existedBefore = try store.messageExists(id)
        XCTAssertFalse(existedBefore)
        await journal.waitUntilWritten(id)
        let existsAfter = try store.messageExists(id)
        XCTAssertTrue(existsAfter)
        await journal.waitUntilWritten(987_654)  // not the journal's: returns at once
        writer.cancel()
        try await writer.value
        try store.close()
    }

    func testIDsHandedOutBeforeACrashAreNeverReused() async throws {
        var store = try Store(path: storePath)
        let crashed = journal(store, idBlock: 50)
        try crashed.open()
        // Handed out, never written: the process "dies" here (its writer never ran).
        let lost = try crashed.append((0..<10).map { message("lost \($0)") })
        try store.close()

        store = try Store(path: storePath)
        let restarted = journal(store, idBlock: 50)
        try restarted.open()
        let writer = Task { try await restarted.run() }
        let fresh = try restarted.append([message("after restart")])
        let labeled = try store.recordLabeledMessage(LabeledText(text: "labeled", label: "spam"), source: .api)
        XCTAssertGreaterThan(fresh[0], lost.max()!)
        XCTAssertGreaterThan(labeled, lost.max()!)
        XCTAssertNotEqual(labeled, fresh[0])
        writer.cancel()
        try await writer.value
        let lostExists = try store.messageExists(lost[0])
        XCTAssertFalse(lostExists)
        XCTAssertEqual(try store.message(fresh[0])?.text, "after restart")
        try store.close()
    }
}
