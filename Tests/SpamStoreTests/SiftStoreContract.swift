import Foundation
import TestSupport
import XCTest
@testable import SpamStore

/// The rest of the ``SiftStore`` contract (training data here; registry, runs and nodes in
/// SiftStoreContract+Registry.swift) as test bodies that SQLiteContractTests and
/// PostgresContractTests both run, on a fresh store each. Times are fixed through `at:`.
struct SiftStoreContract {
    let store: any SiftStore

    func classified(_ text: String, label: String = "ham", model: String = "1", at time: Date = fixedNoon) -> ClassifiedMessage {
        ClassifiedMessage(
            text: text, receivedAt: time, peer: Peer(pid: 42, uid: 1000, gid: 100),
            prediction: PredictionRecord(modelVersion: model, label: label, probability: 0.9, latencyMilliseconds: 3))
    }

    func labelledImportStoresMessagesAndSplitsByTheHashOfTheText() throws {
        let peer = Peer(pid: 7, uid: 1234, gid: 99)
        let texts = (0..<24).map { "message number \($0)" }
        let ids = try store.recordLabeledMessages(
            texts.enumerated().map { LabeledText(text: $1, label: $0.isMultiple(of: 3) ? "spam" : "ham") },
            source: .import, peer: peer, at: fixedNoon)
        XCTAssertEqual(ids.count, texts.count)
        XCTAssertEqual(Set(ids).count, texts.count)
        for id in ids { XCTAssertTrue(try store.messageExists(id)) }
        XCTAssertFalse(try store.messageExists(ids.max()! + 1_000))
        let first = try XCTUnwrap(try store.message(ids[0]))
        XCTAssertEqual(first.text, texts[0])
        XCTAssertEqual(first.receivedAt, fixedNoon)
        XCTAssertEqual(first.peer, peer)
        let event = try XCTUnwrap(try store.currentLabelEvent(forMessage: ids[0]))
        XCTAssertEqual(event.label, "spam")
        XCTAssertEqual(event.source, .import)
        XCTAssertEqual(event.peerUID, 1234)
        XCTAssertEqual(event.createdAt, fixedNoon)

        // A bad label refuses the whole import.
        XCTAssertThrowsError(try store.recordLabeledMessages(
            [LabeledText(text: "fine", label: "ham"), LabeledText(text: "bad", label: " spam")], source: .import, peer: nil,
            at: fixedNoon)) { error in
            guard case StoreError.invalidLabel = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try store.recordLabeledMessages([], source: .import, peer: nil, at: fixedNoon), [])

        // Not in the set: an unlabelled message, a withdrawn label.
        _ = try store.recordClassified([classified("never labelled")])
        try store.forgetLabel(forMessage: ids[1], source: .api, peerUID: nil, at: fixedNoon + 1)

        let set = try store.labeledMessages(holdoutPercent: 50)
        XCTAssertEqual(set.all.count, texts.count - 1)
        for example in set.all {
            let stored = try XCTUnwrap(try store.message(example.messageID))
            XCTAssertEqual(example.sha256, stored.sha256)
            XCTAssertEqual(example.text, stored.text)
            XCTAssertEqual(example.isHoldout, Holdout.isHoldout(sha256Hex: stored.sha256, percent: 50))
            XCTAssertEqual(example.peerUID, 1234)
        }
        XCTAssertEqual(set.holdout.filter { !$0.isHoldout }, [])
        XCTAssertFalse(set.training.isEmpty || set.holdout.isEmpty, "24 texts land on both sides")
        // In the order the labels were given, each side.
        XCTAssertEqual(set.training.map(\.messageID), ids.filter { id in set.training.contains { $0.messageID == id } })
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 0).training.count, texts.count - 1)
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 100).training, [])
        XCTAssertThrowsError(try store.labeledMessages(holdoutPercent: 101)) { error in
            guard case StoreError.invalidArgument = error else { return XCTFail("\(error)") }
        }
    }

    func aTextsNewestLabelDecidesEveryCopy() throws {
        let campaign = "You have won a cruise, reply YES"
        let copies = try store.recordLabeledMessages(
            [LabeledText(text: campaign, label: "spam"), LabeledText(text: "lunch?", label: "ham"), LabeledText(text: campaign, label: "spam")],
            source: .import, peer: nil, at: fixedNoon)
        let flipper = Peer(pid: 1, uid: 555, gid: 1)
        let relabel = try store.recordLabeledMessages(
            [LabeledText(text: campaign, label: "ham")], source: .api, peer: flipper, at: fixedNoon + 1)[0]
        var set = try store.labeledMessages(holdoutPercent: 0)
        XCTAssertEqual(set.training.map(\.messageID), copies + [relabel])
        XCTAssertEqual(set.training.map(\.label), ["ham", "ham", "ham", "ham"])
        XCTAssertEqual(set.training.map(\.peerUID), [555, nil, 555, 555], "flipped copies are the flipper's")

        try store.setLabel("spam", forMessage: copies[2], source: .correction, peerUID: nil, at: fixedNoon + 2)
        set = try store.labeledMessages(holdoutPercent: 0)
        XCTAssertEqual(set.training.map(\.messageID), [copies[0], copies[1], relabel, copies[2]])
        XCTAssertEqual(set.training.map(\.label), ["spam", "ham", "spam", "spam"])
    }

    func onlineAccuracyComparesEachLabelWithTheLatestPrediction() throws {
        let ids = try store.recordClassified([
            classified("right", label: "spam", model: "1", at: fixedNoon - day),
            classified("wrong", label: "ham", model: "1", at: fixedNoon - day),
            classified("wrong later", label: "spam", model: "2", at: fixedNoon),
            classified("withdrawn", label: "ham", model: "2", at: fixedNoon),
            classified("unlabelled", label: "spam", model: "2", at: fixedNoon),
        ])
        try store.setLabel("spam", forMessage: ids[0], source: .correction, peerUID: nil, at: fixedNoon)
        try store.setLabel("spam", forMessage: ids[1], source: .correction, peerUID: nil, at: fixedNoon)
        try store.setLabel("ham", forMessage: ids[2], source: .correction, peerUID: nil, at: fixedNoon)
        try store.setLabel("spam", forMessage: ids[3], source: .correction, peerUID: nil, at: fixedNoon)
        try store.forgetLabel(forMessage: ids[3], source: .api, peerUID: nil, at: fixedNoon + 1)
        // Labelled but never classified: no prediction to judge.
        _ = try store.recordLabeledMessages([LabeledText(text: "imported", label: "ham")], source: .import, peer: nil, at: fixedNoon)

        XCTAssertEqual(try store.onlineAccuracy(modelVersion: nil, since: nil), OnlineAccuracy(reviewed: 3, wrong: 2))
        XCTAssertEqual(try store.onlineAccuracy(modelVersion: "1", since: nil), OnlineAccuracy(reviewed: 2, wrong: 1))
        XCTAssertEqual(try store.onlineAccuracy(modelVersion: nil, since: fixedNoon - 1), OnlineAccuracy(reviewed: 1, wrong: 1))
        XCTAssertEqual(try store.onlineAccuracy(modelVersion: "1", since: fixedNoon - 1), OnlineAccuracy(reviewed: 0, wrong: 0))
        XCTAssertNil(try store.onlineAccuracy(modelVersion: "9", since: nil).accuracy)
        XCTAssertEqual(try store.onlineAccuracy().accuracy ?? 0, 1.0 / 3, accuracy: 1e-12)
    }

    func newLabelCountsStartAtTheLatestSucceededRun() throws {
        let files = try TemporaryDirectory()
        let ids = try store.recordClassified((0..<4).map { classified("m\($0)") })
        try store.setLabel("spam", forMessage: ids[0], source: .api, peerUID: nil, at: fixedNoon)
        XCTAssertEqual(try store.newLabelCountsSinceLastTraining(), LabelCounts(total: 1, byLabel: ["spam": 1]), "no run yet: all")

        let failed = try store.startTrainingRun(dataCounts: nil, trigger: nil, exclusive: true, node: nil, at: fixedNoon + 10)
        try store.failTrainingRun(failed.id, error: "boom", dataCounts: nil, at: fixedNoon + 11)
        XCTAssertEqual(try store.newLabelCountsSinceLastTraining().total, 1, "a failed run does not count")

        let run = try store.startTrainingRun(dataCounts: nil, trigger: nil, exclusive: true, node: nil, at: fixedNoon + 20)
        try store.setLabel("ham", forMessage: ids[1], source: .api, peerUID: nil, at: fixedNoon + 25)  // while it ran
        _ = try store.completeTrainingRun(
            run.id, model: model("n1", in: files), promote: false, dataCounts: nil, metricsJSON: nil, at: fixedNoon + 30)
        try store.setLabel("ham", forMessage: ids[2], source: .api, peerUID: nil, at: fixedNoon + 40)
        try store.setLabel("spam", forMessage: ids[0], source: .correction, peerUID: nil, at: fixedNoon + 41)
        try store.setLabel("spam", forMessage: ids[3], source: .api, peerUID: nil, at: fixedNoon + 42)
        try store.forgetLabel(forMessage: ids[3], source: .api, peerUID: nil, at: fixedNoon + 43)

        XCTAssertEqual(try store.newLabelCountsSinceLastTraining(), LabelCounts(total: 3, byLabel: ["ham": 2, "spam": 1]))
    }

    func retentionDropsOnlyOldUnlabelledTexts() throws {
        let old = fixedNoon - 40 * day
        let ids = try store.recordClassified([
            classified("old 1", at: old), classified("old 2", at: old + 1), classified("old labelled", at: old + 2),
            classified("old withdrawn", at: old + 3), classified("old 3", at: old + 4), classified("recent", at: fixedNoon - day),
        ])
        try store.setLabel("spam", forMessage: ids[2], source: .correction, peerUID: nil, at: fixedNoon)
        try store.setLabel("spam", forMessage: ids[3], source: .correction, peerUID: nil, at: fixedNoon)
        try store.forgetLabel(forMessage: ids[3], source: .api, peerUID: nil, at: fixedNoon)
        let imported = try store.recordLabeledMessages([LabeledText(text: "old import", label: "ham")], source: .import, peer: nil, at: old)[0]

        XCTAssertThrowsError(try store.dropTextOfUnlabeledMessages(olderThanDays: -1, now: fixedNoon, batchSize: 10))
        XCTAssertThrowsError(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon, batchSize: 0))
        // Batches of two: the walk crosses batch boundaries and labelled messages.
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon, batchSize: 2), 4)
        for id in [ids[0], ids[1], ids[3], ids[4]] {
            let message = try XCTUnwrap(try store.message(id))
            XCTAssertNil(message.text)
            XCTAssertEqual(message.textDroppedAt, fixedNoon)
            XCTAssertEqual(message.sha256.count, 64, "the hash stays")
        }
        XCTAssertEqual(try store.message(ids[2])?.text, "old labelled")
        XCTAssertEqual(try store.message(ids[5])?.text, "recent")
        XCTAssertEqual(try store.message(imported)?.text, "old import")
        XCTAssertNil(try store.message(ids[2])?.textDroppedAt)
        XCTAssertEqual(try store.predictions(forMessage: ids[0]).count, 1, "predictions stay")
        XCTAssertEqual(try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon + 1, batchSize: 2), 0)
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 0).training.map(\.messageID), [ids[2], imported])
    }

    func storageFiguresCountTheStoredTexts() throws {
        let empty = try store.storageFigures()
        XCTAssertEqual(empty.storedTexts, 0)
        XCTAssertEqual(empty.storedTextBytes, 0)

        let ids = try store.recordClassified([classified("a", at: fixedNoon - 40 * day), classified("bb"), classified("café")])
        _ = try store.recordLabeledMessages([LabeledText(text: "dddd", label: "ham")], source: .import, peer: nil, at: fixedNoon)
        let reserved = try store.reserveMessageIDs(count: 1)
        try store.recordClassified([classified("not stored")], ids: [reserved.lowerBound], storingText: false, durable: true)
        var figures = try store.storageFigures()
        XCTAssertEqual(figures.storedTexts, 4)
        XCTAssertEqual(figures.storedTextBytes, 1 + 2 + 5 + 4, "UTF-8 bytes")
        XCTAssertGreaterThan(figures.databaseFileBytes, 0)
        XCTAssertGreaterThanOrEqual(figures.walFileBytes, 0)

        _ = try store.dropTextOfUnlabeledMessages(olderThanDays: 30, now: fixedNoon, batchSize: 10)
        XCTAssertNil(try store.message(ids[0])?.text)
        figures = try store.storageFigures()
        XCTAssertEqual(figures.storedTexts, 3)
        XCTAssertEqual(figures.storedTextBytes, 2 + 5 + 4)
    }
}
