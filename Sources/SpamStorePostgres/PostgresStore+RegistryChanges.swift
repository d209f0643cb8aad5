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
                for try await notification in notifications {
                    await changed(notification.payload)
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
}
