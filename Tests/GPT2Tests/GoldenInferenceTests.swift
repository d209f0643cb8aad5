import Foundation
import XCTest
import TestSupport
@testable import GPT2

/// The forward pass against PyTorch + transformers (`../shared/golden/tiny-inference.json`).
final class GoldenInferenceTests: XCTestCase {
    struct Golden: Decodable {
        struct Case: Decodable {
            let text: String
            let ids: [Int]
            let last_hidden: [Float]
            let hidden_first_row_sum: Float
            let logits: [Float]
            let spam_probability: Float
        }
        struct Book: Decodable {
            let max_length: Int
            let ids: [[Int]]
            let logits: [[Float]]
        }
        let cases: [Case]
        let book_padded: Book
    }

    static let tolerance: Float = 1e-4

    func load() throws -> (Golden, Classifier) {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: SharedFixtures.require("golden/tiny-inference.json")))
        let dir = try SharedFixtures.require("golden/tiny-gpt2")
        let classifier = try Classifier(baseDirectory: dir, classifierFile: nil, pooling: .last)
        return (golden, classifier)
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, Self.tolerance, "\(what): max abs diff \(worst)", file: file, line: line)
    }

    func testLastHiddenStateAndLogitsOfEveryCase() throws {
        let (golden, classifier) = try load()
        let c = classifier.model.config.channels
        XCTAssertEqual(golden.cases.count, 10)
        for (i, g) in golden.cases.enumerated() {
            let all = classifier.model.forwardAll(PackedBatch(sequences: [g.ids]))
            assertClose(Array(all[((g.ids.count - 1) * c)...]), g.last_hidden, "case \(i) last hidden (full pass)")
            XCTAssertEqual(all[0..<c].reduce(0, +), g.hidden_first_row_sum, accuracy: 1e-3, "case \(i) first row sum")

            let pooled = classifier.model.forwardPooled(PackedBatch(sequences: [g.ids]))
            assertClose(pooled, g.last_hidden, "case \(i) last hidden (pooled pass)")

            let prediction = classifier.classify(tokenIDs: [g.ids])[0]
            assertClose(prediction.logits, g.logits, "case \(i) logits")
            XCTAssertEqual(prediction.probabilities[1], g.spam_probability, accuracy: Self.tolerance, "case \(i) spam probability")
            XCTAssertEqual(prediction.label, g.spam_probability > 0.5 ? "spam" : "ham")
        }
    }

    func testBookStylePaddedBatch() throws {
        let (golden, _) = try load()
        let dir = try SharedFixtures.require("golden/tiny-gpt2")
        let book = golden.book_padded
        let classifier = try Classifier(baseDirectory: dir, classifierFile: nil, pooling: .padded(maxLength: book.max_length))
        // Our padding reproduces the reference's ids exactly.
        for (g, ids) in zip(golden.cases, book.ids) {
            XCTAssertEqual(classifier.pooling.prepare(g.ids, contextLength: 256), ids)
        }
        let predictions = classifier.classify(tokenIDs: golden.cases.map(\.ids))
        for (i, (p, want)) in zip(predictions, book.logits).enumerated() {
            assertClose(p.logits, want, "book row \(i) logits")
            XCTAssertEqual(p.tokens, book.max_length)
        }
    }

    func testBatchedEqualsOneAtATime() throws {
        let (golden, classifier) = try load()
        let ids = golden.cases.map(\.ids)
        let batched = classifier.classify(tokenIDs: ids)
        for (i, one) in ids.enumerated() {
            let single = classifier.classify(tokenIDs: [one])[0]
            XCTAssertEqual(single.label, batched[i].label)
            for (a, b) in zip(single.logits, batched[i].logits) { XCTAssertEqual(a, b, accuracy: 1e-5, "case \(i)") }
        }
    }

    func testTextsLongerThanTheContextKeepTheirBeginning() throws {
        let (_, classifier) = try load()
        let long = Array(repeating: 464, count: 300) + [13]
        let prepared = Pooling.last.prepare(long, contextLength: 256)
        XCTAssertEqual(prepared.count, 256)
        XCTAssertEqual(prepared, Array(long.prefix(256)))
        // Runs without tripping the context check.
        XCTAssertEqual(classifier.classify(tokenIDs: [long])[0].tokens, 256)
    }
}
