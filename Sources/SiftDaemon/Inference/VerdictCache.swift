import Synchronization

/// The probabilities the serving model gave to texts seen recently, so that a text repeated
/// (a spam campaign sends the same body to thousands) is answered without a forward pass.
///
/// Probabilities, not verdicts: the thresholds apply per request, so a SIGHUP that moves
/// `classify.*` needs no flush. The entries belong to one model, held by identity (not by its
/// version string: a reload may change the pooling under the same version); a lookup or an
/// insert for another model empties the cache first, so a swap (promotion, rollback, SIGHUP)
/// empties it at the first request after it, and nothing an old model said is ever answered
/// for a new one. The model is held weakly: the cache does not keep a swapped-out model alive.
/// Bounded to `batching.cache_entries` (least recently used first out; 0 disables it).
final class VerdictCache: Sendable {
    private struct State {
        var entries: LRUCache<TextDigest, [Float]>
        weak var model: ServingModel?
    }

    private let state: Mutex<State>
    private let metrics: DaemonMetrics

    init(capacity: Int, metrics: DaemonMetrics) {
        state = Mutex(State(entries: LRUCache(capacity: capacity)))
        self.metrics = metrics
    }

    var isEnabled: Bool { state.withLock { $0.entries.capacity > 0 } }

    var count: Int { state.withLock { $0.entries.count } }

    /// What `model` answered for the text, if it is cached; counts a hit or a miss.
    func probabilities(for digest: TextDigest, model: ServingModel) -> [Float]? {
        let (found, count) = state.withLock { state in
            Self.adopt(model, &state)
            return (state.entries.value(for: digest), state.entries.count)
        }
        if found != nil { metrics.verdictCacheHits.increment() } else { metrics.verdictCacheMisses.increment() }
        metrics.verdictCacheEntries.set(Double(count))
        return found
    }

    /// Remembers what `model` answered for the text, unless `model` is no longer the one
    /// serving (a batch that finished after a swap).
    func insert(_ probabilities: [Float], for digest: TextDigest, model: ServingModel, serving: ServingModel) {
        guard model === serving else { return }
        let count = state.withLock { state in
            Self.adopt(model, &state)
            state.entries.set(probabilities, for: digest)
            return state.entries.count
        }
        metrics.verdictCacheEntries.set(Double(count))
    }

    /// `batching.cache_entries` changed (SIGHUP): keeps the most recently used that still fit.
    func resize(to capacity: Int) {
        let count = state.withLock { state in
            state.entries.resize(to: capacity)
            return state.entries.count
        }
        metrics.verdictCacheEntries.set(Double(count))
    }

    private static func adopt(_ model: ServingModel, _ state: inout State) {
        guard state.model !== model else { return }
        state.entries.removeAll()
        state.model = model
    }
}
