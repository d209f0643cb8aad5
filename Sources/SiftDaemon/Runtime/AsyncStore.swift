import SpamStore

/// The store as the daemon's async code reaches it: the one way request paths and services
/// read and write. `Store` itself is synchronous and blocks; here reads run on the store-read
/// threads and writes on the store-write thread (``BlockingWork``), never on the cooperative
/// pool. A write has committed when `write` returns.
public struct AsyncStore: Sendable {
    public let store: any SiftStore

    public init(_ store: any SiftStore) { self.store = store }

    public func read<T: Sendable>(_ work: @escaping @Sendable (any SiftStore) throws -> T) async throws -> T {
        let store = self.store
        return try await BlockingWork.run(on: BlockingWork.storeReads) { try work(store) }
    }

    public func write<T: Sendable>(_ work: @escaping @Sendable (any SiftStore) throws -> T) async throws -> T {
        let store = self.store
        return try await BlockingWork.run(on: BlockingWork.storeWrites) { try work(store) }
    }
}
