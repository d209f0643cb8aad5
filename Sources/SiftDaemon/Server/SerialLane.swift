import Synchronization

/// Runs a connection's state-changing requests one after another, in the order they arrived,
/// while everything else on the connection runs concurrently.
final class SerialLane: Sendable {
    private let last = Mutex<Task<Void, Never>?>(nil)

    /// Starts `work` once every earlier job of this lane has finished.
    func enqueue(_ work: @escaping @Sendable () async -> Void) {
        last.withLock { last in
            let previous = last
            last = Task {
                await previous?.value
                await work()
            }
        }
    }
}
