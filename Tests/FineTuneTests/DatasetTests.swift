import Foundation
import XCTest
import TestSupport
@testable import FineTune

/// The SMS Spam Collection and the reference's balanced split.
final class SMSDatasetTests: XCTestCase {
    func load() throws -> [LabeledExample] {
        try SMSSpamCollection.read(SharedFixtures.require("data/sms-spam-collection/SMSSpamCollection"))
    }

    func testCountsOfTheRawFile() throws {
        let all = try load()
        XCTAssertEqual(all.count, 5574, "raw lines split on the first tab keep all 5574 messages")
        XCTAssertEqual(all.filter { $0.label == "spam" }.count, 747)
        XCTAssertEqual(all.filter { $0.label == "ham" }.count, 4827)
        // A quote at the start of a text is just a character (pandas would open a quoted field here).
        XCTAssertTrue(all.contains { $0.text.hasPrefix("\"") })
    }

    func testBalancedSplitSizesAndContents() throws {
        let all = try load()
        let balanced = DatasetSplit.balanced(all, labels: .hamSpam, seed: 123)
        XCTAssertEqual(balanced.count, 1494)
        XCTAssertEqual(balanced.filter { $0.label == "spam" }.count, 747)
        let split = DatasetSplit.split(balanced, seed: 123)
        XCTAssertEqual([split.train.count, split.validation.count, split.test.count], [1045, 149, 300])
        // Together the splits are the balanced set, each example exactly once.
        XCTAssertEqual((split.train + split.validation + split.test).sorted { $0.text + $0.label < $1.text + $1.label },
                       balanced.sorted { $0.text + $0.label < $1.text + $1.label })
        // Both labels in every split, roughly balanced.
        for part in [split.train, split.validation, split.test] {
            let spam = Double(part.filter { $0.label == "spam" }.count) / Double(part.count)
            XCTAssertEqual(spam, 0.5, accuracy: 0.1)
        }
    }

    func testSeedDecidesEverything() throws {
        let all = try load()
        func make(_ seed: UInt64) -> DatasetSplit {
            DatasetSplit.split(DatasetSplit.balanced(all, labels: .hamSpam, seed: seed), seed: seed)
        }
        XCTAssertEqual(make(123), make(123))
        XCTAssertNotEqual(make(123).train, make(124).train)
        XCTAssertNotEqual(DatasetSplit.balanced(all, labels: .hamSpam, seed: 1), DatasetSplit.balanced(all, labels: .hamSpam, seed: 2),
                          "which ham rows stay depends on the seed")
    }

    /// Texts with tabs or line breaks (mail's model text) are written as JSON lines and read
    /// back exactly; plain ones as TSV; writing one format removes the other's files.
    func testWrittenSplitsReadBackExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sift-split-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let mail = DatasetSplit(train: [LabeledExample(text: "Subject: a\tb\nFrom: \n\nc\r\n", label: "spam"), LabeledExample(text: "\"quoted\" ok", label: "ham")],
                                validation: [], test: [LabeledExample(text: "t", label: "ham")])
        XCTAssertFalse(mail.fitsTSV)
        try mail.write(to: dir)
        XCTAssertEqual(try DatasetSplit.read(from: dir, labels: .hamSpam), mail)
        let files = { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }
        XCTAssertEqual(try files(), ["test.jsonl", "train.jsonl", "validation.jsonl"])

        let sms = DatasetSplit(train: [LabeledExample(text: "WINNER", label: "spam")], validation: [LabeledExample(text: "ok", label: "ham")], test: [])
        XCTAssertTrue(sms.fitsTSV)
        try sms.write(to: dir)
        XCTAssertEqual(try files(), ["test.tsv", "train.tsv", "validation.tsv"])
        XCTAssertEqual(try DatasetSplit.read(from: dir, labels: .hamSpam), sms)
    }
}

/// The generic readers: what they accept and how they reject.
final class LabeledDataReaderTests: XCTestCase {
    func parse(_ text: String, _ format: DataFormat, labels: LabelSet? = nil) throws -> [LabeledExample] {
        try LabeledDataReader.parse(text, format: format, path: "data", labels: labels)
    }

    func assertError(_ expected: DatasetError, _ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? DatasetError, expected, file: file, line: line)
        }
    }

    /// A spreadsheet's CSV: a byte-order mark before the header, labels in any case.
    func testAByteOrderMarkIsIgnoredAndLabelsAreLowerCased() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sift-bom-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("\u{FEFF}label,text\nSpam,win now\n HAM ,see you\nspam,free\n".utf8).write(to: file)
        let rows = try LabeledDataReader.read(file, labels: .hamSpam)
        XCTAssertEqual(rows.map(\.label), ["spam", "ham", "spam"])
        XCTAssertEqual(try parse("Spam\tx\nham\ty\n", .tsv).map(\.label), ["spam", "ham"])
        XCTAssertEqual(try parse("{\"label\":\"SPAM\",\"text\":\"x\"}\n", .jsonl).map(\.label), ["spam"])
    }

    func testTSV() throws {
        let rows = try parse("label\ttext\nspam\tWIN\ta prize\r\n\nham\tok\n", .tsv)
        XCTAssertEqual(rows, [LabeledExample(text: "WIN\ta prize", label: "spam"), LabeledExample(text: "ok", label: "ham")])
        assertError(.malformedRow(path: "data", line: 2, reason: "no tab between label and text")) { try self.parse("ham\tok\nno tab here\n", .tsv) }
        assertError(.unknownLabel(path: "data", line: 1, label: "eggs", known: ["ham", "spam"])) {
            try self.parse("eggs\tbacon\n", .tsv, labels: .hamSpam)
        }
        assertError(.malformedRow(path: "data", line: 1, reason: "empty label")) { try self.parse("\ttext\n", .tsv) }
    }

    func testCSV() throws {
        let csv = "id,text,label,extra\r\n1,\"Hello, world\",ham,x\n2,\"He said \"\"win\"\"\nnow\",spam,y\n3,plain,ham,\n"
        XCTAssertEqual(try parse(csv, .csv), [
            LabeledExample(text: "Hello, world", label: "ham"),
            LabeledExample(text: "He said \"win\"\nnow", label: "spam"),
            LabeledExample(text: "plain", label: "ham"),
        ])
        // The row after a quoted newline is reported at its own line.
        assertError(.malformedRow(path: "data", line: 4, reason: "2 fields, but the header has 3")) {
            try self.parse("label,text,n\nham,\"a\nb\",1\nspam,c\n", .csv)
        }
        assertError(.malformedRow(path: "data", line: 2, reason: "a quoted field is never closed")) {
            try self.parse("label,text\nham,\"open\n", .csv)
        }
        assertError(.missingColumn(path: "data", column: "text", header: ["label", "message"])) {
            try self.parse("label,message\nham,hi\n", .csv)
        }
        assertError(.unknownLabel(path: "data", line: 3, label: "eggs", known: ["ham", "spam"])) {
            try self.parse("text,label\nhi,ham\nbye,eggs\n", .csv, labels: .hamSpam)
        }
        assertError(.malformedRow(path: "data", line: 2, reason: "a quote inside an unquoted field (quote the whole field and double the quote)")) {
            try self.parse("label,text\nham,say \"hi\"\n", .csv)
        }
    }

    func testJSONLines() throws {
        let rows = try parse("{\"text\": \"hi\", \"label\": \"ham\", \"id\": 3}\n\n{\"label\":\"spam\",\"text\":\"WIN\"}\n", .jsonl)
        XCTAssertEqual(rows, [LabeledExample(text: "hi", label: "ham"), LabeledExample(text: "WIN", label: "spam")])
        assertError(.malformedRow(path: "data", line: 2, reason: "not a JSON object")) { try self.parse("{\"text\":\"a\",\"label\":\"ham\"}\n[1]\n", .jsonl) }
        assertError(.malformedRow(path: "data", line: 1, reason: "no string field \"text\"")) { try self.parse("{\"label\":\"ham\"}\n", .jsonl) }
        assertError(.malformedRow(path: "data", line: 1, reason: "no non-empty string field \"label\"")) {
            try self.parse("{\"text\":\"a\",\"label\":1}\n", .jsonl)
        }
        assertError(.unknownLabel(path: "data", line: 1, label: "eggs", known: ["ham", "spam"])) {
            try self.parse("{\"text\":\"a\",\"label\":\"eggs\"}\n", .jsonl, labels: .hamSpam)
        }
    }

    func testEmptyInputIsAnError() {
        assertError(.noExamples(path: "data")) { try self.parse("\n\n", .tsv) }
    }

    func testFormatDetection() {
        func detect(_ name: String, _ contents: String) -> DataFormat { DataFormat.detect(url: URL(fileURLWithPath: name), contents: contents) }
        XCTAssertEqual(detect("SMSSpamCollection", "ham\tGo until jurong point, crazy..\n"), .tsv)
        XCTAssertEqual(detect("data", "text,label\nhi,ham\n"), .csv)
        XCTAssertEqual(detect("data", "{\"text\":\"hi\"}\n"), .jsonl)
        XCTAssertEqual(detect("x.csv", "anything"), .csv)
        XCTAssertEqual(detect("x.jsonl", "anything"), .jsonl)
        XCTAssertEqual(detect("x.tsv", "text,label"), .tsv)
    }

    func testInferredLabels() {
        XCTAssertEqual(LabelSet.inferred(from: [LabeledExample(text: "", label: "spam"), LabeledExample(text: "", label: "ham")]), .hamSpam)
        XCTAssertEqual(LabelSet.inferred(from: [LabeledExample(text: "", label: "b"), LabeledExample(text: "", label: "a")]).names, ["a", "b"])
    }

    func testUndersamplingEveryLabelToTheRarest() {
        let rows = (0..<10).map { LabeledExample(text: "\($0)", label: $0 < 7 ? "a" : ($0 < 9 ? "b" : "c")) }
        let balanced = DatasetSplit.balanced(rows, labels: LabelSet(names: ["a", "b", "c"]), seed: 5)
        XCTAssertEqual(balanced.map(\.label).sorted(), ["a", "b", "c"])
    }
}

final class MetricsTests: XCTestCase {
    /// 50 ham right, 5 ham called spam, 10 spam missed, 35 spam caught.
    func testBinaryMetricsFromAHandMadeConfusion() {
        let e = Evaluation(confusion: ConfusionMatrix(labels: ["ham", "spam"], counts: [[50, 5], [10, 35]]), loss: 0.25)
        XCTAssertEqual(e.examples, 100)
        XCTAssertEqual(e.accuracy, 0.85, accuracy: 1e-12)
        XCTAssertEqual(e.positiveLabel, "spam")
        XCTAssertEqual(e.precision, 35.0 / 40, accuracy: 1e-12)
        XCTAssertEqual(e.recall, 35.0 / 45, accuracy: 1e-12)
        XCTAssertEqual(e.f1, 2 * (35.0 / 40) * (35.0 / 45) / (35.0 / 40 + 35.0 / 45), accuracy: 1e-12)
        XCTAssertEqual(e.perLabel[0].precision, 50.0 / 60, accuracy: 1e-12)
        XCTAssertEqual(e.perLabel[0].recall, 50.0 / 55, accuracy: 1e-12)
        XCTAssertEqual(e.perLabel.map(\.support), [55, 45])
        XCTAssertTrue(e.summary.contains("85.00%"), e.summary)
        XCTAssertEqual(try JSONDecoder().decode(Evaluation.self, from: Data(e.json.utf8)), e)
    }

    func testMacroAveragesForMoreThanTwoLabels() {
        var m = ConfusionMatrix(labels: ["a", "b", "c"])
        m.add(actual: 0, predicted: 0)
        m.add(actual: 1, predicted: 0)
        m.add(actual: 2, predicted: 2)
        let e = Evaluation(confusion: m, loss: 1)
        XCTAssertNil(e.positiveLabel)
        // precision: a 1/2, b 0 (never predicted), c 1; recall: a 1, b 0, c 1
        XCTAssertEqual(e.precision, (0.5 + 0 + 1) / 3, accuracy: 1e-12)
        XCTAssertEqual(e.recall, (1 + 0 + 1) / 3, accuracy: 1e-12)
        XCTAssertEqual(e.f1, (2.0 / 3 + 0 + 1) / 3, accuracy: 1e-12)
    }
}
