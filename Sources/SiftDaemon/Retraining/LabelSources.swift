import FineTune
import SpamStore

/// Poisoning limits: who a run's labels come from. One uid's labels may be at most a share of
/// each label's training examples (seed replay counts as a source of its own), unless the uid is
/// trusted; and labels that all come from one uid, with no seed data to check them against, are
/// refused outright, since the only holdout would be that uid's own labels. Labels with no peer
/// come from the operator's own tools (imports), not from a socket client, and are trusted.
struct LabelSources {
    var maxShare: Double
    var trusted: Set<UInt32>

    /// A uid's labels, or labels with no peer (imports), as one source.
    static func name(_ uid: UInt32?) -> String { uid.map { "uid \($0)" } ?? "labels without a peer" }

    func isTrusted(_ uid: UInt32?) -> Bool { uid.map(trusted.contains) ?? true }

    /// Throws when every label comes from one untrusted source and there is no seed data.
    func refuseSingleSource(_ labels: [LabeledMessage], hasSeed: Bool) throws {
        guard !hasSeed, let first = labels.first else { return }
        let uid = first.peerUID
        guard labels.allSatisfy({ $0.peerUID == uid }), !isTrusted(uid) else { return }
        throw RetrainError.refused(
            "all \(labels.count) labels come from \(Self.name(uid)) and there is no seed data (retrain.seed_data) to check them "
                + "against: the only holdout would be that source's own labels. Set retrain.seed_data, or list the uid in "
                + "retrain.trusted_uids if it is an operator's")
    }

    /// The mix `make` builds from `labels` (oldest first) once every untrusted source holds at
    /// most `maxShare` of each label's examples: the oldest labels of a source over its share are
    /// left out. Per label, so that one uid cannot be all of one label however large the run.
    /// Returns the mix and how many labels of each source were left out of it.
    func capped(_ labels: [LabeledMessage], make: ([LabeledMessage]) -> RetrainingMix.Result)
        -> (mix: RetrainingMix.Result, kept: [LabeledMessage], leftOut: [String: Int]) {
        var kept = labels
        var leftOut: [String: Int] = [:]
        while true {
            let mix = make(kept)
            var inMix: [Pair: Int] = [:]
            for index in mix.keptLabels { inMix[Pair(uid: kept[index].peerUID, label: kept[index].label), default: 0] += 1 }
            var drop = Set<Int>()
            for (pair, count) in inMix.sorted(by: { "\($0.key)" < "\($1.key)" }) where !isTrusted(pair.uid) {
                let allowed = Int((maxShare * Double(mix.perClass[pair.label] ?? 0)).rounded(.down))
                guard count > allowed else { continue }
                let all = kept.indices.filter { kept[$0].peerUID == pair.uid && kept[$0].label == pair.label }  // oldest first
                let dropped = all.dropLast(allowed)
                drop.formUnion(dropped)
                leftOut[Self.name(pair.uid), default: 0] += Set(dropped).intersection(mix.keptLabels).count
            }
            if drop.isEmpty { return (mix, kept, leftOut) }
            kept = kept.indices.filter { !drop.contains($0) }.map { kept[$0] }
        }
    }

    private struct Pair: Hashable {
        var uid: UInt32?
        var label: String
    }
}
