import Checksum
import Foundation
import XCTest
@testable import SpamStore

/// The ``MessageStore`` contract as test bodies, run against a fresh store of each engine by
/// SQLiteContractTests and PostgresContractTests (one thin test method per body in each, so
/// both list the same cases and a failure names its engine).
struct MessageStoreContract {
    let store: any MessageStore

    private func classified(
        _ text: String, label: String = "ham", model: String = "1", at time: Date = fixedNoon, peer: Peer? = Peer(pid: 42, uid: 1000, gid: 100)
    ) -> ClassifiedMessage {
        ClassifiedMessage(
            text: text, receivedAt: time, peer: peer,
            prediction: PredictionRecord(modelVersion: model, label: label, probability: 0.9, latencyMilliseconds: 3))
    }

    func reservationsAreConsecutiveAndNeverHandedOutAgain() throws {
        let recorded = try store.recordClassified([classified("before")])[0]
        let first = try store.reserveMessageIDs(count: 10)
        let second = try store.reserveMessageIDs(count: 5)
        XCTAssertEqual(first.count, 10)
        XCTAssertEqual(second.count, 5)
        XCTAssertFalse(first.contains(recorded))
        XCTAssertFalse(first.overlaps(second))
        let after = try store.recordClassified([classified("after")])[0]
        XCTAssertFalse(first.contains(after) || second.contains(after) || after == recorded)
        XCTAssertThrowsError(try store.reserveMessageIDs(count: 0)) { error in
            guard case StoreError.invalidArgument = error else { return XCTFail("\(error)") }
        }
    }

    /// A NUL in a text (JSON's \u0000) neither fails a batch nor cuts the text, on any engine:
    /// U+FFFD is stored in its place (``StorableText``); the hash is the original's.
    func aTextWithANulIsStoredAndHashedAsReceived() throws {
        let text = "free\u{0}prize"
        let ids = try store.recordClassified([classified(text), classified("plain")])
        let stored = try XCTUnwrap(try store.message(ids[0]))
        XCTAssertEqual(stored.text, "free\u{FFFD}prize")
        XCTAssertEqual(stored.sha256, SHA256.hex(text))
        XCTAssertEqual(try store.message(ids[1])?.text, "plain")
        let labelled = try XCTUnwrap(store as? any TrainingDataStore).recordLabeledMessage(LabeledText(text: text, label: "spam"), source: .api)
        XCTAssertEqual(try store.message(labelled)?.sha256, stored.sha256)
        XCTAssertEqual(try store.forgetLabels(ofText: text, source: .correction), [labelled], "forget by text finds it by the original")
    }

    func recordedMessagesReadBackWithTheirPredictions() throws {
        let long = String(repeating: "long text ", count: 40)  // shared-text size on SQLite
        let ids = try store.recordClassified([
            classified("win a prize", label: "spam", model: "7"),
            classified(long, at: fixedNoon + 1.5, peer: nil),
            classified("win a prize"),
        ])
        XCTAssertEqual(ids.count, 3)
        XCTAssertEqual(Set(ids).count, 3)

        let first = try XCTUnwrap(try store.message(ids[0]))
        XCTAssertEqual(first.id, ids[0])
        XCTAssertEqual(first.text, "win a prize")
        XCTAssertEqual(first.sha256, "26be5d27ad5e97edec537dea23a6e49af4be6cdc18054b073276aedc07342b14")  // SHA-256 of the UTF-8 text
        XCTAssertEqual(first.receivedAt, fixedNoon)
        XCTAssertEqual(first.peer, Peer(pid: 42, uid: 1000, gid: 100))
        XCTAssertNil(first.textDroppedAt)
        let second = try XCTUnwrap(try store.message(ids[1]))
        XCTAssertEqual(second.text, long)
        XCTAssertEqual(second.receivedAt, fixedNoon + 1.5)
        XCTAssertNil(second.peer)
        XCTAssertEqual(try store.message(ids[2])?.sha256, first.sha256)
        XCTAssertNil(try store.message(ids.max()! + 1_000))

        let predictions = try store.predictions(forMessage: ids[0])
        XCTAssertEqual(predictions.map(\.prediction), [
            PredictionRecord(modelVersion: "7", label: "spam", probability: 0.9, latencyMilliseconds: 3)
        ])
        XCTAssertEqual(predictions.map(\.messageID), [ids[0]])
        XCTAssertEqual(predictions.map(\.predictedAt), [fixedNoon])
        XCTAssertEqual(try store.predictions(forMessage: ids.max()! + 1_000), [])
    }

    func reservedIDsRecordWithOrWithoutText() throws {
        let ids = try store.reserveMessageIDs(count: 3)
        try store.recordClassified(
            [classified("one", label: "spam"), classified("two")], ids: [ids.lowerBound, ids.lowerBound + 2],
            storingText: true, durable: false)
        XCTAssertEqual(try store.message(ids.lowerBound)?.text, "one")
        XCTAssertNil(try store.message(ids.lowerBound + 1))
        XCTAssertEqual(try store.predictions(forMessage: ids.lowerBound + 2).map(\.prediction.label), ["ham"])

        let more = try store.reserveMessageIDs(count: 1)
        try store.recordClassified([classified("kept out", at: fixedNoon + 7)], ids: [more.lowerBound], storingText: false, durable: true)
        let textless = try XCTUnwrap(try store.message(more.lowerBound))
        XCTAssertNil(textless.text)
        XCTAssertEqual(textless.textDroppedAt, fixedNoon + 7)
        XCTAssertEqual(textless.sha256.count, 64)

        XCTAssertThrowsError(
            try store.recordClassified([classified("a")], ids: [], storingText: true, durable: false))
    }

    func anInvalidPredictionRejectsTheWholeBatch() throws {
        var bad = classified("bad")
        bad.prediction.probability = 1.5
        XCTAssertThrowsError(try store.recordClassified([classified("good"), bad])) { error in
            guard case StoreError.invalidPrediction = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try store.dailyStats(days: 1, now: fixedNoon, spamLabel: "spam").map(\.messages), [0])
    }

    func labelsSupersedeAndKeepTheirHistory() throws {
        let id = try store.recordClassified([classified("win a prize")])[0]
        let t0 = Date(timeIntervalSince1970: 1_000)
        XCTAssertNil(try store.currentLabelEvent(forMessage: id))
        XCTAssertEqual(try store.labelHistory(forMessage: id), [])
        let first = try store.setLabel("spam", forMessage: id, source: .correction, peerUID: 1000, at: t0)
        let second = try store.setLabel("ham", forMessage: id, source: .api, peerUID: nil, at: t0 + 10)

        XCTAssertEqual(try store.currentLabel(forMessage: id), "ham")
        XCTAssertEqual(try store.currentLabelEvent(forMessage: id), second)
        let history = try store.labelHistory(forMessage: id)
        XCTAssertEqual(history.map(\.label), ["spam", "ham"])
        XCTAssertEqual(history.map(\.id), [first.id, second.id])
        XCTAssertEqual(history[0].supersededAt, t0 + 10)
        XCTAssertEqual(history[0].source, .correction)
        XCTAssertEqual(history[0].peerUID, 1000)
        XCTAssertEqual(history[0].createdAt, t0)
        XCTAssertEqual(history[1], second)
        XCTAssertNil(history[1].peerUID)
    }

    func labelsOfUnknownMessagesAndInvalidNamesAreRefused() throws {
        let id = try store.recordClassified([classified("hello")])[0]
        XCTAssertThrowsError(try store.setLabel("spam", forMessage: id + 1_000, source: .api, peerUID: nil, at: fixedNoon)) { error in
            XCTAssertEqual(error as? StoreError, .unknownMessage(id + 1_000))
        }
        XCTAssertThrowsError(try store.forgetLabel(forMessage: id + 1_000, source: .api, peerUID: nil, at: fixedNoon)) { error in
            XCTAssertEqual(error as? StoreError, .unknownMessage(id + 1_000))
        }
        for bad in ["", " spam", String(repeating: "x", count: 65), "a\nb"] {
            XCTAssertThrowsError(try store.setLabel(bad, forMessage: id, source: .api, peerUID: nil, at: fixedNoon)) { error in
                guard case StoreError.invalidLabel = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertEqual(try store.labelHistory(forMessage: id), [])
    }

    func forgetWithdrawsTheLabelAndKeepsIt() throws {
        let id = try store.recordClassified([classified("see you at 6")])[0]
        XCTAssertNil(try store.forgetLabel(forMessage: id, source: .api, peerUID: nil, at: fixedNoon))
        try store.setLabel("ham", forMessage: id, source: .api, peerUID: nil, at: fixedNoon)
        let withdrawal = try XCTUnwrap(try store.forgetLabel(forMessage: id, source: .api, peerUID: 7, at: fixedNoon + 1))

        XCTAssertTrue(withdrawal.isWithdrawal)
        XCTAssertEqual(withdrawal.peerUID, 7)
        XCTAssertNil(try store.currentLabel(forMessage: id))
        XCTAssertEqual(try store.currentLabelEvent(forMessage: id), withdrawal)
        XCTAssertEqual(try store.labelHistory(forMessage: id).map(\.label), ["ham", nil])
        // Nothing left to withdraw: nothing written.
        XCTAssertNil(try store.forgetLabel(forMessage: id, source: .api, peerUID: nil, at: fixedNoon + 2))
        XCTAssertEqual(try store.labelHistory(forMessage: id).count, 2)
        // Labelling again supersedes the withdrawal.
        try store.setLabel("spam", forMessage: id, source: .correction, peerUID: nil, at: fixedNoon + 3)
        XCTAssertEqual(try store.currentLabel(forMessage: id), "spam")
        XCTAssertEqual(try store.labelHistory(forMessage: id).map(\.label), ["ham", nil, "spam"])
    }

    func forgetByTextWithdrawsEveryLabelledMessageWithThatTextAndNoOther() throws {
        let ids = try store.recordClassified([
            classified("cheap meds"), classified("cheap meds"), classified("cheap meds!"), classified("cheap meds"),
        ])
        try store.setLabel("spam", forMessage: ids[0], source: .api, peerUID: nil, at: fixedNoon)
        try store.setLabel("ham", forMessage: ids[1], source: .api, peerUID: nil, at: fixedNoon)
        try store.setLabel("spam", forMessage: ids[2], source: .api, peerUID: nil, at: fixedNoon)

        XCTAssertEqual(try store.forgetLabels(ofText: "cheap meds", source: .correction, peerUID: 9, at: fixedNoon + 1), [ids[0], ids[1]])
        XCTAssertNil(try store.currentLabel(forMessage: ids[0]))
        XCTAssertNil(try store.currentLabel(forMessage: ids[1]))
        XCTAssertEqual(try store.currentLabelEvent(forMessage: ids[0])?.peerUID, 9)
        XCTAssertEqual(try store.currentLabel(forMessage: ids[2]), "spam")
        XCTAssertNil(try store.currentLabelEvent(forMessage: ids[3]))
        XCTAssertEqual(try store.forgetLabels(ofText: "cheap meds", source: .correction, peerUID: nil, at: fixedNoon + 2), [])
        XCTAssertEqual(try store.labelHistory(forMessage: ids[0]).count, 2)
    }

    func dailyStatsCountMessagesLatestSpamAndCorrections() throws {
        let yesterday = fixedNoon - day
        let ids = try store.recordClassified([
            classified("a", label: "spam", at: yesterday),
            classified("b", label: "ham", at: yesterday),
            classified("c", label: "spam", at: fixedNoon),
            classified("d", label: "junk", at: fixedNoon),
            classified("e", label: "ham", at: fixedNoon),
            classified("too old", label: "spam", at: fixedNoon - 10 * day),
        ])
        try store.setLabel("ham", forMessage: ids[0], source: .correction, peerUID: nil, at: fixedNoon)
        try store.setLabel("spam", forMessage: ids[2], source: .correction, peerUID: nil, at: fixedNoon - day)
        try store.setLabel("ham", forMessage: ids[1], source: .api, peerUID: nil, at: fixedNoon)  // not a correction
        try store.forgetLabel(forMessage: ids[0], source: .correction, peerUID: nil, at: fixedNoon)  // withdrawals are not corrections

        XCTAssertEqual(try store.dailyStats(days: 3, now: fixedNoon, spamLabel: "spam"), [
            DailyStats(day: "2026-03-08", messages: 0, spam: 0, corrections: 0),
            DailyStats(day: "2026-03-09", messages: 2, spam: 1, corrections: 1),
            DailyStats(day: "2026-03-10", messages: 3, spam: 1, corrections: 1),
        ])
        XCTAssertEqual(try store.dailyStats(days: 1, now: fixedNoon, spamLabel: "junk").map(\.spam), [1])
        XCTAssertThrowsError(try store.dailyStats(days: 0, now: fixedNoon, spamLabel: "spam"))
    }

    func newLabelCountsCountOnlyCurrentLabelsAfterTheInstant() throws {
        let ids = try store.recordClassified((0..<5).map { classified("m\($0)") })
        try store.setLabel("spam", forMessage: ids[0], source: .api, peerUID: nil, at: fixedNoon - 100)
        try store.setLabel("spam", forMessage: ids[1], source: .api, peerUID: nil, at: fixedNoon + 1)
        try store.setLabel("ham", forMessage: ids[2], source: .api, peerUID: nil, at: fixedNoon + 2)
        try store.setLabel("spam", forMessage: ids[3], source: .api, peerUID: nil, at: fixedNoon + 3)
        try store.setLabel("ham", forMessage: ids[3], source: .correction, peerUID: nil, at: fixedNoon + 4)  // supersedes
        try store.setLabel("spam", forMessage: ids[4], source: .api, peerUID: nil, at: fixedNoon + 5)
        try store.forgetLabel(forMessage: ids[4], source: .api, peerUID: nil, at: fixedNoon + 6)  // withdrawn

        XCTAssertEqual(try store.newLabelCounts(since: fixedNoon), LabelCounts(total: 3, byLabel: ["spam": 1, "ham": 2]))
        XCTAssertEqual(try store.newLabelCounts(since: nil), LabelCounts(total: 4, byLabel: ["spam": 2, "ham": 2]))
        XCTAssertEqual(try store.newLabelCounts(since: fixedNoon + 100), LabelCounts(total: 0, byLabel: [:]))
    }
}
