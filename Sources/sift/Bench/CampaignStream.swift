import GPT2

/// The texts `sift bench serve --repeat-rate R` sends, in order: a share R of the requests
/// repeats a text sent earlier (a campaign sending one body again and again), the rest are
/// texts not sent before. Seeded, so the same options send the same stream.
enum CampaignStream {
    /// `count` requests from `distinct` texts (which must hold enough new ones); each repeat is
    /// one of the texts already sent, chosen uniformly.
    static func texts(_ distinct: [String], count: Int, repeatRate: Double, seed: UInt64 = 17) -> [String] {
        var rng = SeededRandom(seed: seed)
        var sent: [String] = []
        var next = 0
        var stream: [String] = []
        stream.reserveCapacity(count)
        for _ in 0..<count {
            if !sent.isEmpty, Double.random(in: 0..<1, using: &rng) < repeatRate {
                stream.append(sent[Int.random(in: 0..<sent.count, using: &rng)])
            } else {
                precondition(next < distinct.count, "not enough distinct texts for the stream")
                sent.append(distinct[next])
                stream.append(distinct[next])
                next += 1
            }
        }
        return stream
    }

}
