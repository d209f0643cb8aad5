import Foundation
import Synchronization

/// The model currently serving, swapped whole on reload (SIGHUP now, promotions later).
///
/// The batcher takes ``current`` once per batch, so a batch runs on one model from start to
/// end and a swap never waits for, nor disturbs, the batch in progress.
public final class ModelProvider: Sendable {
    private let model: Mutex<ServingModel>
    /// Held for a whole load-and-swap: blocking, so reloads run on threads that may block.
    private let reloading = NSLock()
    public let source: any ModelSource

    public init(initial: ServingModel, source: any ModelSource) {
        model = Mutex(initial)
        self.source = source
    }

    public var current: ServingModel { model.withLock { $0 } }

    /// Loads from the source (on the caller's thread: it may take seconds) and swaps the result in.
    /// Returns the new model; on failure the old one keeps serving.
    @discardableResult
    public func reload(_ config: DaemonConfig) throws -> ServingModel {
        try reload(config) { _ in true }!
    }

    /// Like ``reload(_:)`` but only when `needed(current)` says so, decided and done while no
    /// other reload runs: reloads (a promotion, a rollback, SIGHUP) take turns, so the last
    /// one to start is the one that serves, never a slower one that started earlier.
    public func reload(_ config: DaemonConfig, when needed: (ServingModel) throws -> Bool) throws -> ServingModel? {
        try reloading.withLock {
            guard try needed(current) else { return nil }
            let loaded = try source.load(config)
            model.withLock { $0 = loaded }
            return loaded
        }
    }
}
