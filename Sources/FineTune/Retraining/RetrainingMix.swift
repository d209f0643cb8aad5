import GPT2

/// The training set of an incremental retrain: the labels collected so far plus a replay of
/// the seed dataset, so the model learns the new without forgetting the old.
///
/// Balanced per class as the reference balances its data (every class cut to the rarest), but
/// collected labels come first: the seed replay tops up the classes the labels leave short,
/// and is what gets cut before any label is. When labels themselves must be cut, the newest stay.
public enum RetrainingMix {
    public struct Result: Sendable, Equatable {
        public var examples: [LabeledExample]
        public var fromLabels: Int
        public var fromReplay: Int
        /// Whether each of `examples` is a replayed seed example (else a collected label).
        public var replayed: [Bool]
        /// Indices into `labels` of the collected labels kept, in `examples` order.
        public var keptLabels: [Int]
        /// Examples per class in `examples` (all equal, unless a class has none).
        public var perClass: [String: Int]
    }

    /// - Parameters:
    ///   - labels: the collected labels, oldest first.
    ///   - replay: the seed examples that may be replayed (none from the holdout).
    ///   - replayLimit: most seed examples to mix in; 0 turns replay off.
    public static func make(labels: [LabeledExample], replay: [LabeledExample], replayLimit: Int, classes: LabelSet,
                            seed: UInt64) -> Result {
        var rng = SeededRandom(seed: seed)
        let perClassReplay = classes.count == 0 ? 0 : max(0, replayLimit) / classes.count
        var labelRows: [[Int]] = []
        var replayRows: [[LabeledExample]] = []
        for name in classes.names {
            labelRows.append(labels.indices.filter { labels[$0].label == name })
            var pool = replay.filter { $0.label == name }
            DatasetSplit.shuffle(&pool, &rng)
            replayRows.append(Array(pool.prefix(perClassReplay)))
        }
        let target = zip(labelRows, replayRows).map { $0.count + $1.count }.min() ?? 0
        var result = Result(examples: [], fromLabels: 0, fromReplay: 0, replayed: [], keptLabels: [], perClass: [:])
        for (index, name) in classes.names.enumerated() {
            let kept = Array(labelRows[index].suffix(target))
            let topUp = Array(replayRows[index].prefix(target - kept.count))
            result.examples += kept.map { labels[$0] } + topUp
            result.replayed += Array(repeating: false, count: kept.count) + Array(repeating: true, count: topUp.count)
            result.keptLabels += kept
            result.fromLabels += kept.count
            result.fromReplay += topUp.count
            result.perClass[name] = kept.count + topUp.count
        }
        return result
    }
}
