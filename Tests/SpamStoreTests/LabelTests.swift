import Foundation
import XCTest
@testable import SpamStore

final class LabelTests: StoreTestCase {
    func testSupersedingKeepsHistoryAndTheLatestWins() throws {
        let id = try store.recordClassified([classified("win a prize", label: "ham")])[0]
        let t0 = Date(timeIntervalSince1970: 1_000)
        let first = try store.setLabel("spam", forMessage: id, source: .correction, peerUID: 1000, at: t0)
        let second = try store.setLabel("ham", forMessage: id, source: .api, peerUID: 1001, at: t0 + 10)

        XCTAssertEqual(try store.currentLabel(forMessage: id), "ham")
        let history = try store.labelHistory(forMessage: id)
        XCTAssertEqual(history.map(\.label), ["spam", "ham"])
        XCTAssertEqual(history.map(\.id), [first.id, second.id])
        XCTAssertEqual(history[0].supersededAt, t0 + 10)
        XCTAssertEqual(history[0].source, .correction)
        XCTAssertEqual(history[0].peerUID, 1000)
        XCTAssertTrue(history[1].isCurrent)
        XCTAssertEqual(history[1], second)
    }

    func testForgetByTextWithdrawsEveryLabelledMessageWithThatTextAndNoOther() throws {
        let first = try store.recordLabeledMessage(LabeledText(text: "cheap meds", label: "spam"), source: .api)
        let second = try store.recordLabeledMessage(LabeledText(text: "cheap meds", label: "ham"), source: .api)
        let other = try store.recordLabeledMessage(LabeledText(text: "cheap meds!", label: "spam"), source: .api)
        let unlabelled = try store.recordClassified([classified("cheap meds", label: "spam")])[0]

        XCTAssertEqual(try store.forgetLabels(ofText: "cheap meds", source: .correction, peerUID: 9), [first, second])
        XCTAssertNil(try store.currentLabel(forMessage: first))
        XCTAssertNil(try store.currentLabel(forMessage: second))
        XCTAssertEqual(try store.currentLabelEvent(forMessage: first)?.peerUID, 9)
        XCTAssertEqual(try store.currentLabel(forMessage: other), "spam")
        XCTAssertNil(try store.currentLabelEvent(forMessage: unlabelled))
        // Withdrawn already: nothing more to withdraw, nothing written.
        XCTAssertEqual(try store.forgetLabels(ofText: "cheap meds", source: .correction), [])
        XCTAssertEqual(try store.labelHistory(forMessage: first).count, 2)
    }

    func testForgetWithdrawsTheLabelAndKeepsIt() throws {
        let id = try store.recordLabeledMessage(LabeledText(text: "see you at 6", label: "ham"), source: .api)
        let withdrawal = try XCTUnwrap(try store.forgetLabel(forMessage: id, source: .api, peerUID: 7))

        XCTAssertTrue(withdrawal.isWithdrawal)
        XCTAssertNil(try store.currentLabel(forMessage: id))
        XCTAssertEqual(try store.currentLabelEvent(forMessage: id), withdrawal)
        let history = try store.labelHistory(forMessage: id)
        XCTAssertEqual(history.map(\.label), ["ham", nil])
        XCTAssertFalse(history[0].isCurrent)
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 0).all, [])

        // Nothing left to withdraw: no event is written.
        XCTAssertNil(try store.forgetLabel(forMessage: id, source: .api))
        XCTAssertEqual(try store.labelHistory(forMessage: id).count, 2)

        // Labeling again after a withdrawal works and supersedes the withdrawal.
        try store.setLabel("spam", forMessage: id, source: .correction)
        XCTAssertEqual(try store.currentLabel(forMessage: id), "spam")
        XCTAssertEqual(try store.labelHistory(forMessage: id).map(\.label), ["ham", nil, "spam"])
    }

    func testForgettingAnUnlabeledMessageWritesNothing() throws {
        let id = try store.recordClassified([classified("hello")])[0]
        XCTAssertNil(try store.forgetLabel(forMessage: id, source: .api))
        XCTAssertEqual(try store.labelHistory(forMessage: id), [])
    }

    func testBadLabelNamesAreRejected() throws {
        let id = try store.recordClassified([classified("hello")])[0]
        for bad in ["", " spam", "spam\n", "ham\u{0}", String(repeating: "x", count: 65)] {
            XCTAssertThrowsError(try store.setLabel(bad, forMessage: id, source: .api), bad.debugDescription) { error in
                guard case .invalidLabel? = error as? StoreError else { return XCTFail("\(error)") }
            }
        }
        XCTAssertThrowsError(try store.recordLabeledMessage(LabeledText(text: "x", label: ""), source: .api))
        XCTAssertEqual(try store.labelHistory(forMessage: id), [])
        XCTAssertTrue("\(StoreError.invalidLabel("", reason: "a label cannot be empty"))".contains("cannot be empty"))
    }

    func testLabelingAnUnknownMessageFails() throws {
        XCTAssertThrowsError(try store.setLabel("spam", forMessage: 12_345, source: .correction)) { error in
            XCTAssertEqual(error as? StoreError, .unknownMessage(12_345))
        }
        XCTAssertThrowsError(try store.forgetLabel(forMessage: 12_345, source: .api))
    }

    func testImportStoresTextsWithLabelsInOrder() throws {
        let items = (0..<50).map { LabeledText(text: "text \($0)", label: $0 % 2 == 0 ? "ham" : "spam") }
        let ids = try store.recordLabeledMessages(items, source: .import)
        XCTAssertEqual(ids.count, 50)
        XCTAssertEqual(ids, ids.sorted())
        for (id, item) in zip(ids, items) {
            XCTAssertEqual(try store.message(id)?.text, item.text)
            XCTAssertEqual(try store.currentLabelEvent(forMessage: id)?.source, .import)
            XCTAssertEqual(try store.currentLabel(forMessage: id), item.label)
        }
    }
}
