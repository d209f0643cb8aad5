import FineTune
import SpamStore
import XCTest

@testable import SiftDaemon

final class LabelSourcesTests: XCTestCase {
    private func labels(_ count: Int, _ label: String, uid: UInt32?, from start: Int = 0) -> [LabeledMessage] {
        (start..<(start + count)).map {
            LabeledMessage(messageID: Int64($0), text: "\(label) \(uid.map(String.init) ?? "-") \($0)", label: label, sha256: "",
                           isHoldout: false, peerUID: uid)
        }
    }

    private func mix(_ replay: Int) -> ([LabeledMessage]) -> RetrainingMix.Result {
        let seed = (0..<replay).map { LabeledExample(text: "seed \($0)", label: $0 % 2 == 0 ? "ham" : "spam") }
        return { kept in
            RetrainingMix.make(labels: kept.map { LabeledExample(text: $0.text, label: $0.label) }, replay: seed,
                               replayLimit: replay, classes: .hamSpam, seed: 1)
        }
    }

    func testOneUidIsCappedAtItsShareOfTheRunAndItsOldestLabelsGo() {
        let sources = LabelSources(maxShare: 0.25, trusted: [])
        // uid 1000 sends 300 ham labels; the replay has 100 of each label; uid 1001 sends 10 spam.
        let all = labels(300, "ham", uid: 1000) + labels(10, "spam", uid: 1001, from: 300)
        let (result, kept, leftOut) = sources.capped(all, make: mix(200))
        let fromUID = kept.filter { $0.peerUID == 1000 }
        // 110 spam (10 labels + 100 replay) and 110 ham: 27 of the ham may be uid 1000's.
        XCTAssertEqual(result.examples.count, 220)
        XCTAssertEqual(fromUID.count, 27, "a quarter of the 110 ham examples")
        XCTAssertEqual(result.keptLabels.filter { kept[$0].peerUID == 1000 }.count, 27)
        XCTAssertEqual(leftOut, ["uid 1000": 83], "110 of its labels were in the first mix, 27 stay")
        XCTAssertEqual(fromUID.map(\.messageID), Array(273..<300), "the newest labels stay")
        XCTAssertEqual(kept.filter { $0.peerUID == 1001 }.count, 10, "a source within its share keeps all")
    }

    func testTrustedUidsAndLabelsWithoutAPeerAreNotCapped() {
        let sources = LabelSources(maxShare: 0.5, trusted: [0])
        for uid: UInt32? in [0, nil] {
            let (result, _, leftOut) = sources.capped(labels(300, "ham", uid: uid), make: mix(200))
            XCTAssertTrue(leftOut.isEmpty)
            XCTAssertEqual(result.fromLabels, 100, "balanced at the replay's 100 spam, all from \(String(describing: uid))")
        }
        XCTAssertNoThrow(try sources.refuseSingleSource(labels(40, "spam", uid: nil), hasSeed: false), "imports are the operator's")
    }

    func testLabelsFromOneSourceWithoutSeedDataAreRefused() {
        let sources = LabelSources(maxShare: 0.5, trusted: [])
        let one = labels(40, "spam", uid: 1000) + labels(400, "ham", uid: 1000, from: 40)
        XCTAssertThrowsError(try sources.refuseSingleSource(one, hasSeed: false)) { error in
            XCTAssertTrue("\(error)".hasPrefix("refused: all 440 labels come from uid 1000"), "\(error)")
        }
        XCTAssertNoThrow(try sources.refuseSingleSource(one, hasSeed: true))
        XCTAssertNoThrow(try sources.refuseSingleSource(one + labels(1, "ham", uid: 1001, from: 500), hasSeed: false))
        XCTAssertNoThrow(try LabelSources(maxShare: 0.5, trusted: [1000]).refuseSingleSource(one, hasSeed: false))
    }
}
