import Foundation
import GPT2

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

    /// Writes `train.tsv`, `validation.tsv`, `test.tsv` into `directory` (created if needed), each
    /// atomically. Tabs and line breaks inside a text become spaces so every row stays one line.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, rows) in [(Self.fileNames.train, train), (Self.fileNames.validation, validation), (Self.fileNames.test, test)] {
            try AtomicFile.write(Data(Self.tsv(rows).utf8), to: directory.appendingPathComponent(name))
        }
    }

    /// Reads the three files `write` produced.
    public static func read(from directory: URL, labels: LabelSet? = nil) throws -> DatasetSplit {
        func load(_ name: String) throws -> [LabeledExample] {
            do {
                return try LabeledDataReader.read(directory.appendingPathComponent(name), format: .tsv, labels: labels)
            } catch DatasetError.noExamples {
                return []  // a small data set can have an empty validation split
            }
        }
        return DatasetSplit(train: try load(fileNames.train), validation: try load(fileNames.validation), test: try load(fileNames.test))
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
