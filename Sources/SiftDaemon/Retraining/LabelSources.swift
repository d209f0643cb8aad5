import FineTune
import SpamStore

/// Poisoning limits: who a run's labels come from. One uid's labels may be at most a share of a
/// run's training examples (seed replay counts as a source of its own), unless the uid is
/// trusted; and labels that all come from one uid, with no seed data to check them against, are
/// refused outright, since the only holdout would be that uid's own labels.
struct LabelSources {
    var maxShare: Double
    var trusted: Set<UInt32>

    /// A uid's labels, or labels with no peer (imports), as one source.
    static func name(_ uid: UInt32?) -> String { uid.map { "uid \($0)" } ?? "labels without a peer" }

    /// Throws when every label comes from one untrusted source and there is no seed data.
    func refuseSingleSource(_ labels: [LabeledMessage], hasSeed: Bool) throws {
        guard !hasSeed, let first = labels.first else { return }
        let uid = first.peerUID
        guard labels.allSatisfy({ $0.peerUID == uid }), !(uid.map(trusted.contains) ?? false) else { return }
        throw RetrainError.refused(
            "all \(labels.count) labels come from \(Self.name(uid)) and there is no seed data (retrain.seed_data) to check them "
                + "against: the only holdout would be that source's own labels. Set retrain.seed_data, or list the uid in "
                + "retrain.trusted_uids if it is an operator's")
    }

    /// The mix `make` builds from `labels` (oldest first) once every untrusted source holds at
    /// most `maxShare` of its examples: the oldest labels of a source over its share are left out.
    /// Returns the mix and how many labels of each source were left out.
    func capped(_ labels: [LabeledMessage], make: ([LabeledMessage]) -> RetrainingMix.Result)
        -> (mix: RetrainingMix.Result, kept: [LabeledMessage], leftOut: [String: Int]) {
        var kept = labels
        var leftOut: [String: Int] = [:]
        while true {
            let mix = make(kept)
            let allowed = Int((maxShare * Double(mix.examples.count)).rounded(.down))
            var inMix: [UInt32?: Int] = [:]
            for index in mix.keptLabels { inMix[kept[index].peerUID, default: 0] += 1 }
            var drop = Set<Int>()
            for (uid, count) in inMix where count > allowed && !(uid.map(trusted.contains) ?? false) {
                let all = kept.indices.filter { kept[$0].peerUID == uid }  // oldest first
                drop.formUnion(all.dropLast(allowed))
                leftOut[Self.name(uid), default: 0] += all.count - allowed
            }
            if drop.isEmpty { return (mix, kept, leftOut) }
            kept = kept.indices.filter { !drop.contains($0) }.map { kept[$0] }
        }
    }
}
