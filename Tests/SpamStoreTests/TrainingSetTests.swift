import Checksum
import Foundation
import XCTest
@testable import SpamStore

final class TrainingSetTests: StoreTestCase {
    func testHoldoutBucketIsTheHashPrefixModHundred() {
        // sha256("abc") starts ba7816bf = 3128432319; 3128432319 % 100 = 19.
        XCTAssertEqual(Holdout.bucket(forSHA256Hex: SHA256.hex("abc")), 19)
        XCTAssertTrue(Holdout.isHoldout(sha256Hex: SHA256.hex("abc"), percent: 20))
        XCTAssertFalse(Holdout.isHoldout(sha256Hex: SHA256.hex("abc"), percent: 19))
    }

    func testHoldoutIsStableAcrossReopenAndRoughlyTheAskedShare() throws {
        let items = (0..<2_000).map { LabeledText(text: "message number \($0)", label: $0 % 3 == 0 ? "spam" : "ham") }
        _ = try store.recordLabeledMessages(items, source: .import)
        let before = try store.labeledMessages(holdoutPercent: 20)

        try store.close()
        store = try Store(path: databasePath)
        let after = try store.labeledMessages(holdoutPercent: 20)

        XCTAssertEqual(before, after)
        XCTAssertEqual(before.training.count + before.holdout.count, 2_000)
        let share = Double(before.holdout.count) / 2_000
        XCTAssertEqual(share, 0.20, accuracy: 0.03, "holdout share \(share)")
        XCTAssertTrue(before.holdout.allSatisfy(\.isHoldout))
        XCTAssertFalse(before.training.contains(where: \.isHoldout))
        for example in before.all {
            XCTAssertEqual(example.sha256, SHA256.hex(example.text))
            XCTAssertEqual(example.text, items[Int(example.messageID) - 1].text)
        }
    }

    func testRelabelingDoesNotMoveAMessageBetweenSides() throws {
        let ids = try store.recordLabeledMessages((0..<200).map { LabeledText(text: "m\($0)", label: "ham") }, source: .import)
        let holdoutBefore = Set(try store.labeledMessages(holdoutPercent: 30).holdout.map(\.messageID))
        for id in ids { try store.setLabel("spam", forMessage: id, source: .correction) }
        let set = try store.labeledMessages(holdoutPercent: 30)
        XCTAssertEqual(Set(set.holdout.map(\.messageID)), holdoutBefore)
        XCTAssertTrue(set.all.allSatisfy { $0.label == "spam" })
    }

    func testIdenticalTextsLandOnTheSameSide() throws {
        let ids = try store.recordLabeledMessages(
            Array(repeating: LabeledText(text: "WINNER!! claim your prize", label: "spam"), count: 5), source: .import)
        let set = try store.labeledMessages(holdoutPercent: 50)
        XCTAssertEqual(set.all.count, ids.count)
        XCTAssertTrue(set.training.isEmpty || set.holdout.isEmpty)
    }

    func testANewLabelOnAKnownTextSupersedesItsCopies() throws {
        let campaign = "You have won a cruise, reply YES"
        let copies = try store.recordLabeledMessages(
            [LabeledText(text: campaign, label: "spam"), LabeledText(text: "lunch?", label: "ham"),
             LabeledText(text: campaign, label: "spam")], source: .import)
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 0).training.map(\.label), ["spam", "ham", "spam"])

        // The same text labelled ham later, as a new message: every copy now trains as ham.
        let relabel = try store.recordLabeledMessages([LabeledText(text: campaign, label: "ham")], source: .api)[0]
        var set = try store.labeledMessages(holdoutPercent: 0)
        XCTAssertEqual(set.training.map(\.messageID), copies + [relabel])
        XCTAssertEqual(set.training.map(\.label), ["ham", "ham", "ham", "ham"])
        // Each copy's own label history is untouched: the rule is applied when training is read.
        XCTAssertEqual(try store.currentLabel(forMessage: copies[0]), "spam")

        // A correction of one copy is the newest label again, and it wins for all of them.
        try store.setLabel("spam", forMessage: copies[2], source: .correction)
        set = try store.labeledMessages(holdoutPercent: 0)
        XCTAssertEqual(set.training.filter { $0.text == campaign }.map(\.label), ["spam", "spam", "spam"])
        XCTAssertEqual(set.training.first { $0.text == "lunch?" }?.label, "ham")

        // Withdrawing the newest label hands the text back to the newest one left.
        try store.forgetLabel(forMessage: copies[2], source: .api)
        set = try store.labeledMessages(holdoutPercent: 0)
        XCTAssertEqual(set.training.filter { $0.text == campaign }.map(\.label), ["ham", "ham"])
    }

    /// Relabelling copies must be charged to the uid that flipped them: otherwise one `label`
    /// turns a trusted import's copies into trusted examples of the other label, past the share limit.
    func testRelabelledCopiesCountAsTheirNewLabellers() throws {
        let campaign = "Cheap meds, reply now"
        let imported = try store.recordLabeledMessages(Array(repeating: LabeledText(text: campaign, label: "spam"), count: 3), source: .import)
        let other = try store.recordLabeledMessages([LabeledText(text: "hello there", label: "ham")], source: .import)[0]
        let flipper = Peer(pid: 42, uid: 1234, gid: 1234)
        _ = try store.recordLabeledMessages([LabeledText(text: campaign, label: "ham")], source: .api, peer: flipper)
        let set = try store.labeledMessages(holdoutPercent: 0)
        let copies = set.training.filter { $0.text == campaign }
        XCTAssertEqual(copies.map(\.label), ["ham", "ham", "ham", "ham"])
        XCTAssertEqual(copies.map(\.peerUID), [1234, 1234, 1234, 1234], "every flipped copy is the flipper's")
        XCTAssertEqual(Set(copies.prefix(3).map(\.messageID)), Set(imported))
        XCTAssertNil(set.training.first { $0.messageID == other }?.peerUID, "a copy that was not flipped keeps its own source")
    }

    func testOnlyCurrentLabelsWithTextCount() throws {
        let labeled = try store.recordLabeledMessages(
            [LabeledText(text: "a", label: "ham"), LabeledText(text: "b", label: "spam"), LabeledText(text: "c", label: "ham")],
            source: .import)
        let unlabeled = try store.recordClassified([classified("d")])[0]
        try store.setLabel("spam", forMessage: labeled[0], source: .correction)
        try store.forgetLabel(forMessage: labeled[2], source: .api)

        let set = try store.labeledMessages(holdoutPercent: 0)
        XCTAssertEqual(set.holdout, [])
        // In the order the labels were given: the correction of "a" is the newest label.
        XCTAssertEqual(set.training.map(\.messageID), [labeled[1], labeled[0]])
        XCTAssertEqual(set.training.map(\.label), ["spam", "spam"])
        XCTAssertFalse(set.training.contains { $0.messageID == unlabeled })
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 100).training, [])
        XCTAssertThrowsError(try store.labeledMessages(holdoutPercent: 101))
    }
}
