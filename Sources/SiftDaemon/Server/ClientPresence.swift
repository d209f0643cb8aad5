import Synchronization

/// Whether a connection's client is still there, for work queued on its behalf: a classify
/// whose client has gone is dropped before it reaches a batch.
public final class ClientPresence: Sendable {
    private let connected = Atomic<Bool>(true)

    public init() {}

    public var isConnected: Bool { connected.load(ordering: .relaxed) }
    func disconnected() { connected.store(false, ordering: .relaxed) }
}
