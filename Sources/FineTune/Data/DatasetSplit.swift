import Foundation
import GPT2
import SiftJSON

/// Train / validation / test examples, and how the reference makes them: undersample to
/// balanced classes, shuffle with a seed, cut 70/10/20 (1494 balanced SMS → 1045/149/300).
public struct DatasetSplit: Sendable, Equatable {
    public var train: [LabeledExample]
    public var validation: [LabeledExample]
    public var test: [LabeledExample]

    public init(train: [LabeledExample], validation: [LabeledExample], test: [LabeledExample]) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    public static let fileNames = (train: "train.tsv", validation: "validation.tsv", test: "test.tsv")

    /// Every label cut down to the count of the rarest one, choosing which rows stay with `seed`;
    /// the kept rows stay in file order.
    public static func balanced(_ examples: [LabeledExample], labels: LabelSet, seed: UInt64) -> [LabeledExample] {
        var rng = SeededRandom(seed: seed)
        let byLabel = labels.names.map { name in examples.indices.filter { examples[$0].label == name } }
        let keep = byLabel.map(\.count).filter { $0 > 0 }.min() ?? 0
        var kept: [Int] = []
        for rows in byLabel where !rows.isEmpty {
            var rows = rows
            shuffle(&rows, &rng)
            kept += rows.prefix(keep)
        }
        return kept.sorted().map { examples[$0] }
    }

    /// Shuffles with `seed` and cuts: train = ⌊n·trainFraction⌋, validation = ⌊n·validationFraction⌋,
    /// test = the rest (the reference's `random_split`).
    public static func split(_ examples: [LabeledExample], trainFraction: Double = 0.7, validationFraction: Double = 0.1,
                             seed: UInt64) -> DatasetSplit {
        precondition(trainFraction >= 0 && validationFraction >= 0 && trainFraction + validationFraction <= 1)
        var rng = SeededRandom(seed: seed)
        var shuffled = examples
        shuffle(&shuffled, &rng)
        let trainEnd = Int(Double(shuffled.count) * trainFraction)
        let validationEnd = trainEnd + Int(Double(shuffled.count) * validationFraction)
        return DatasetSplit(train: Array(shuffled[..<trainEnd]), validation: Array(shuffled[trainEnd..<validationEnd]),
                            test: Array(shuffled[validationEnd...]))
    }

    /// Fisher-Yates with our own generator, so a seed gives the same order on every platform and toolchain.
    public static func shuffle<T>(_ array: inout [T], _ rng: inout SeededRandom) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            array.swapAt(i, j)
        }
    }

    /// The same three files as JSON lines: what ``write(to:)`` writes when a text has a tab or a
    /// line break (mail's model text has), which TSV cannot keep.
    public static let jsonLinesFileNames = (train: "train.jsonl", validation: "validation.jsonl", test: "test.jsonl")

    /// Whether every text can be written as TSV without changing it.
    public var fitsTSV: Bool {
        !(train + validation + test).contains { row in row.text.unicodeScalars.contains { $0 == "\t" || $0 == "\n" || $0 == "\r" } }
    }

    /// The names ``write(to:)`` gives the three files: TSV, or JSON lines when a text would not survive TSV.
    public var writtenFileNames: (train: String, validation: String, test: String) {
        fitsTSV ? Self.fileNames : Self.jsonLinesFileNames
    }

    /// Writes `train.tsv`, `validation.tsv`, `test.tsv` into `directory` (created if needed), each
    /// atomically; or, when a text has a tab or a line break, `train.jsonl`, `validation.jsonl`,
    /// `test.jsonl`, so the model trains on exactly the text siftd will classify. The files of the
    /// other format are removed, so a directory never holds two splits.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tsv = fitsTSV
        let names = tsv ? Self.fileNames : Self.jsonLinesFileNames
        let stale = tsv ? Self.jsonLinesFileNames : Self.fileNames
        func render(_ rows: [LabeledExample]) -> String { tsv ? Self.tsv(rows) : Self.jsonLines(rows) }
        for (name, rows) in [(names.train, train), (names.validation, validation), (names.test, test)] {
            try AtomicFile.write(Data(render(rows).utf8), to: directory.appendingPathComponent(name))
        }
        for name in [stale.train, stale.validation, stale.test] {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Reads the three files `write` produced (JSON lines if `train.jsonl` is there, else TSV).
    public static func read(from directory: URL, labels: LabelSet? = nil) throws -> DatasetSplit {
        let jsonLines = FileManager.default.fileExists(atPath: directory.appendingPathComponent(jsonLinesFileNames.train).path)
        let (names, format) = jsonLines ? (jsonLinesFileNames, DataFormat.jsonl) : (fileNames, DataFormat.tsv)
        func load(_ name: String) throws -> [LabeledExample] {
            do {
                return try LabeledDataReader.read(directory.appendingPathComponent(name), format: format, labels: labels)
            } catch DatasetError.noExamples {
                return []  // a small data set can have an empty validation split
            }
        }
        return DatasetSplit(train: try load(names.train), validation: try load(names.validation), test: try load(names.test))
    }

    /// One `{"label":…,"text":…}` object per line.
    public static func jsonLines(_ rows: [LabeledExample]) -> String {
        rows.map { JSONWriter.string(.object([("label", .string($0.label)), ("text", .string($0.text))])) + "\n" }.joined()
    }

    public static func tsv(_ rows: [LabeledExample]) -> String {
        var out = ""
        for row in rows {
            var text = ""
            for scalar in row.text.unicodeScalars {
                text.unicodeScalars.append(scalar == "\t" || scalar == "\n" || scalar == "\r" ? " " : scalar)
            }
            out += "\(row.label)\t\(text)\n"
        }
        return out
    }
}
