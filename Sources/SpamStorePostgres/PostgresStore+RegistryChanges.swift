import NIOCore
import PostgresNIO
import SpamStore

/// LISTEN on the channel migration 3's trigger notifies whenever a model is made active.
extension PostgresStore: RegistryChangeFeed {
    public func followRegistryChanges(
        listening: @Sendable () async -> Void, changed: @Sendable (_ activeVersion: String) async -> Void
    ) async throws {
        let connection = try await connections.openDedicated()
        let outcome: Result<Void, any Error>
        do {
            try await connection.listen(on: PostgresSchema.registryChannel) { notifications in
                await listening()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.checkAnswering(connection) }
                    do {
                        for try await notification in notifications {
                            await changed(notification.payload)
                        }
                    } catch {
                        // The connection closed; when the ping closed it, its reason is the one to give.
                        group.cancelAll()
                        while let result = await group.nextResult() {
                            if case let .failure(reason as StoreError) = result { throw reason }
                        }
                        throw error
                    }
                    group.cancelAll()
                }
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try? await connection.close()
        if Task.isCancelled { return }
        // Not cancelled, so the notifications stopped because the connection did.
        switch outcome {
        case .success:
            throw StoreError.storeUnavailable(detail: "the listening connection to \(url) was closed")
        case let .failure(error):
            throw PostgresConnections.storeError(error)
        }
    }

    /// A listener only reads, so a connection that went silent (packets dropped on the way, a
    /// failover) would look like a quiet registry for ever. Every `listenerPing` this asks the
    /// server something; with no answer within `callTimeout` it closes the connection, which
    /// ends the notifications with an error. Runs until cancelled or the connection fails.
    private func checkAnswering(_ connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: listenerPing)
            let logger = connections.logger
            // A query cannot be cancelled, only failed: closing the connection does that, when
            // it went unanswered or this task is cancelled.
            let answered = try await connections.withinCallTimeout({
                _ = try await connection.query("SELECT 1", logger: logger).get()
                return true
            }, giveUp: { try? await connection.close() })
            if answered == nil {
                throw StoreError.storeUnavailable(detail: "the listening connection to \(url) went unanswered for \(connections.callTimeout)")
            }
        }
    }
}
