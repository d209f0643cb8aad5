import SiftJSON
import SpamStore
import XCTest
@testable import SiftDaemon

/// `classify.spam_threshold` and `classify.ham_threshold`: the verdict, and the label answered and stored.
final class ClassifyThresholdsTests: DaemonTestCase {
    func testVerdictBands() {
        let plain = ClassifyThresholds(spam: 0.5)
        XCTAssertEqual(plain.verdict(spamProbability: 0.5), .spam)
        XCTAssertEqual(plain.verdict(spamProbability: 0.4999), .ham)
        let banded = ClassifyThresholds(spam: 0.9, ham: 0.3)
        XCTAssertEqual(banded.verdict(spamProbability: 0.95), .spam)
        XCTAssertEqual(banded.verdict(spamProbability: 0.9), .spam)
        XCTAssertEqual(banded.verdict(spamProbability: 0.6), .unsure)
        XCTAssertEqual(banded.verdict(spamProbability: 0.3), .unsure)
        XCTAssertEqual(banded.verdict(spamProbability: 0.29), .ham)
    }

    func testTheSpamLabelIsNamedSpamElseTheSecondOfTwo() {
        XCTAssertEqual(ClassifyThresholds.spamIndex(of: ["ham", "spam"]), 1)
        XCTAssertEqual(ClassifyThresholds.spamIndex(of: ["spam", "ham"]), 0)
        XCTAssertEqual(ClassifyThresholds.spamIndex(of: ["ok", "junk"]), 1)
        XCTAssertNil(ClassifyThresholds.spamIndex(of: ["a", "b", "c"]))
        // A model that is not spam/ham: the most probable label, no verdict.
        let decision = ClassifyThresholds(spam: 0.1).decide(labels: ["a", "b", "c"], probabilities: [0.2, 0.5, 0.3])
        XCTAssertEqual(decision.labelIndex, 1)
        XCTAssertNil(decision.verdict)
        // Labels in the other order: the threshold applies to spam's own probability.
        let reversed = ClassifyThresholds(spam: 0.8).decide(labels: ["spam", "ham"], probabilities: [0.7, 0.3])
        XCTAssertEqual(reversed.labelIndex, 1)
        XCTAssertEqual(reversed.verdict, .ham)
    }

    /// One text classified under three configs around its spam probability: the reply's label and
    /// verdict, and the label its prediction is stored with, move with the thresholds.
    func testTheDaemonAnswersAndStoresByTheThresholds() async throws {
        let text = "Free entry in 2 a wkly comp to win FA Cup final tkts"
        let p = try await classify(text) { _ in }.spamProbability
        // The fixture model is random: make sure the bands below fit between 0 and 1.
        XCTAssertGreaterThan(p, 0.002)
        XCTAssertLessThan(p, 0.998)

        let spam = try await classify(text) { $0.classify = ClassifyThresholds(spam: p - 0.001) }
        XCTAssertEqual(spam.label, "spam")
        XCTAssertEqual(spam.verdict, "spam")
        XCTAssertEqual(spam.stored, "spam")

        let ham = try await classify(text) { $0.classify = ClassifyThresholds(spam: p + 0.001) }
        XCTAssertEqual(ham.label, "ham")
        XCTAssertEqual(ham.verdict, "ham")
        XCTAssertEqual(ham.stored, "ham")

        let unsure = try await classify(text) { $0.classify = ClassifyThresholds(spam: p + 0.001, ham: p - 0.001) }
        XCTAssertEqual(unsure.label, "ham")
        XCTAssertEqual(unsure.verdict, "unsure")
        XCTAssertEqual(unsure.stored, "ham")
        XCTAssertEqual(unsure.spamProbability, p)
    }

    private struct Answer {
        var label: String?
        var verdict: String?
        var spamProbability: Double
        var stored: String?
    }

    private func classify(_ text: String, _ customize: @escaping (inout DaemonConfig) -> Void) async throws -> Answer {
        try await fixture?.stop()
        let daemon = try await start(customize)
        let reply = try daemon.connect().call(["op": "classify", "text": .string(text)])
        let id = try XCTUnwrap(reply["message_id"]?.intValue, "\(reply)")
        await daemon.daemon.context.journal.waitUntilWritten(id)
        let stored = try daemon.daemon.context.store.predictions(forMessage: id).first?.prediction.label
        return Answer(
            label: reply["label"]?.stringValue, verdict: reply["verdict"]?.stringValue,
            spamProbability: try XCTUnwrap(reply["spam_probability"]?.doubleValue), stored: stored)
    }
}
