/// A store several nodes share that can tell a node, as it happens, that another node made a
/// model active (a promotion or a rollback): PostgreSQL's LISTEN/NOTIFY. It only makes a node
/// hear sooner; polling the registry stays the way that cannot miss a change, since nothing
/// is heard while the listener is down or reconnecting.
public protocol RegistryChangeFeed: Sendable {
    /// Listens on a connection of its own until that connection is lost or the calling task
    /// is cancelled. Calls `listening` once the listener is in place: a change made before
    /// then was not heard, so that is the moment to read the registry. Then calls `changed`
    /// with the version made active, for each change, in order.
    ///
    /// Returns when the task is cancelled; throws ``StoreError/storeUnavailable(detail:)``
    /// when the connection cannot be opened or is lost.
    func followRegistryChanges(
        listening: @Sendable () async -> Void, changed: @Sendable (_ activeVersion: String) async -> Void
    ) async throws
}
