import Checksum
import FineTune
import GPT2
import Foundation
import SpamStore

/// The seed dataset (`retrain.seed_data`), split by the same hash rule as the store's labels:
/// a seed text in the holdout is never trained on, so the gate can tell whether a retrain
/// forgot what the seed taught.
struct SeedData {
    var training: [LabeledExample] = []
    var holdout: [LabeledExample] = []

    /// The seed holdout is cut to at most this many examples per class (seeded, so the same every
    /// run): the gate compares balanced accuracy, so the classes need not be the same size, and
    /// more messages narrow its interval; few enough to score in seconds on the 124M model.
    static let holdoutPerClass = 500

    /// A labeled file in any format `sift prepare-data` reads, or a directory it wrote.
    static func read(_ path: String?, holdoutPercent: Int, labels: LabelSet) throws -> SeedData {
        guard let path else { return SeedData() }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let examples: [LabeledExample]
        if isDirectory.boolValue {
            let split = try DatasetSplit.read(from: url, labels: labels)
            examples = split.train + split.validation + split.test
        } else {
            examples = try LabeledDataReader.read(url, labels: labels)
        }
        var seed = SeedData()
        var seen = Set<String>()
        for example in examples where labels.index(of: example.label) != nil {
            let hash = SHA256.hex(example.text)
            guard seen.insert(hash).inserted else { continue }  // a repeated text counts once
            if Holdout.isHoldout(sha256Hex: hash, percent: holdoutPercent) {
                seed.holdout.append(example)
            } else {
                seed.training.append(example)
            }
        }
        var rng = SeededRandom(seed: 7)
        seed.holdout = labels.names.flatMap { name in
            var pool = seed.holdout.filter { $0.label == name }
            if pool.count > holdoutPerClass { DatasetSplit.shuffle(&pool, &rng) }
            return pool.prefix(holdoutPerClass)
        }
        return seed
    }
}
