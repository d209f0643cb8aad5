import GPT2

/// The texts `sift bench serve --repeat-rate R` sends, in order: a share R of the requests
/// repeats a text sent earlier (a campaign sending one body again and again), the rest are
/// texts not sent before. Seeded, so the same options send the same stream.
///
/// A repeat is of a text sent at least `gap` requests before (the benchmark's clients: what
/// may be in flight at once). In real traffic a campaign's copies arrive over minutes, long
/// after the first was answered; a benchmark that squeezes them into seconds would instead
/// measure the batcher's sharing of one computation between identical texts in flight, which
/// both runs have, cache or not.
enum CampaignStream {
    /// `count` requests from `distinct` texts (which must hold `count`). A repeat copies a
    /// request old enough, chosen uniformly, so a text sent often is copied more (as a
    /// campaign's); repeats start after `gap` requests and are that much likelier from then
    /// on, so that about `repeatRate × count` requests are repeats.
    static func texts(_ distinct: [String], count: Int, repeatRate: Double, gap: Int, seed: UInt64 = 17) -> [String] {
        precondition(distinct.count >= count, "not enough distinct texts for the stream")
        var rng = SeededRandom(seed: seed)
        let rate = count > gap ? min(1, repeatRate * Double(count) / Double(count - gap)) : 0
        var sent: [Int] = []  // for each request, the index of its text in `distinct`
        var next = 0
        for position in 0..<count {
            if position >= gap, Double.random(in: 0..<1, using: &rng) < rate {
                sent.append(sent[Int.random(in: 0...(position - gap), using: &rng)])
            } else {
                sent.append(next)
                next += 1
            }
        }
        return sent.map { distinct[$0] }
    }
}
