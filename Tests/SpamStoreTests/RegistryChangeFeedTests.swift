import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import XCTest
@testable import SpamStore
@testable import SpamStorePostgres

/// LISTEN/NOTIFY on the shared store: a node hears every model made active on another node,
/// by a promotion or a rollback, and nothing else; losing the listening connection is an
/// error the caller can act on; cancelling ends the listener and its connection.
final class RegistryChangeFeedTests: XCTestCase {
    private var database: PostgresTestDatabase!
    private var files: TemporaryDirectory!

    override func setUpWithError() throws {
        database = try PostgresTestDatabase()
        files = try TemporaryDirectory()
    }

    override func tearDownWithError() throws {
        database?.drop()
        database = nil
    }

    func testEveryModelMadeActiveElsewhereIsHeardInOrderAndNothingElse() async throws {
        let (listener, trainer) = (try PostgresStore(url: database.url), try PostgresStore(url: database.url))
        defer { listener.close(); trainer.close() }
        let (heard, following) = try await follow(listener)
        defer { following.cancel() }

        try promote("m1", on: trainer)
        try promote("m2", on: trainer)
        // A candidate that is not promoted, and a rejected run: nothing made active.
        let run = try trainer.startTrainingRun(dataCounts: nil, trigger: nil, exclusive: false, node: nil, at: Date())
        _ = try trainer.completeTrainingRun(run.id, model: try model("m3"), promote: false, dataCounts: nil, metricsJSON: nil, at: Date())
        let sent = ContinuousClock.now
        XCTAssertEqual(try trainer.activateModel("m1").model.version, "m1", "a rollback")
        try await heard.wait("m1, m2, then the rollback to m1") { $0.versions.count >= 3 }
        let elapsed = (ContinuousClock.now - sent) / .milliseconds(1)
        print("the rollback was heard \(String(format: "%.1f", elapsed)) ms after it was sent, its commit included")
        XCTAssertEqual(heard.snapshot.versions, ["m1", "m2", "m1"])
        XCTAssertEqual(heard.snapshot.listening, 1)
    }

    func testLosingTheListeningConnectionIsStoreUnavailable() async throws {
        let (listener, other) = (try PostgresStore(url: database.url), try PostgresStore(url: database.url))
        defer { listener.close(); other.close() }
        let (_, following) = try await follow(listener)
        XCTAssertEqual(try listeningBackends(other).count, 1)
        // What a server restart or a dropped network does to the listener's connection.
        try other.connections.withConnection { connection in
            try other.connections.run("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN %'
                """, on: connection)
        }
        try await expectUnavailable(following, "after its backend was terminated")
    }

    func testAListeningConnectionThatGoesSilentIsStoreUnavailable() async throws {
        let proxyDirectory = try TemporaryDirectory()
        let network = try SeverableProxy(server: database.url, directory: proxyDirectory)
        defer { network.stop() }
        var options = PostgresStore.Options()
        options.listenerPing = .milliseconds(200)
        options.callTimeout = .seconds(1)
        let listener = try PostgresStore(url: network.url, options: options)
        defer { listener.close() }
        let (_, following) = try await follow(listener)
        // Packets dropped: nothing fails and nothing arrives, so only asking tells.
        network.silence()
        try await expectUnavailable(following, "once its ping went unanswered", detail: "unanswered")
    }

    func testCancellingTheListenerClosesItsConnection() async throws {
        let (listener, other) = (try PostgresStore(url: database.url), try PostgresStore(url: database.url))
        defer { listener.close(); other.close() }
        let (_, following) = try await follow(listener)
        let backends = try listeningBackends(other)
        XCTAssertEqual(backends.count, 1)
        following.cancel()
        let outcome = await settle(following)
        XCTAssertNotNil(outcome, "the listener ended when cancelled")
        if case let .failure(error)? = outcome { XCTFail("a cancelled listener returns, it does not throw: \(error)") }
        // Its backend gone, not merely no longer listening (cancelling sends UNLISTEN first).
        try await waitUntil("the listener's backend is gone") { try !self.backendPIDs(other).contains(backends[0]) }
    }

    func testListeningOnAClosedStoreIsStoreUnavailable() async throws {
        let store = try PostgresStore(url: database.url)
        store.close()
        do {
            try await store.followRegistryChanges(listening: {}, changed: { _ in })
            XCTFail("listened on a closed store")
        } catch let error as StoreError {
            guard case .storeUnavailable = error else { return XCTFail("\(error)") }
        }
    }

    // MARK: - Helpers

    /// Starts `store` following the registry; returns once its listener is in place.
    private func follow(_ store: PostgresStore) async throws -> (Heard, Task<Void, any Error>) {
        let heard = Heard()
        let following = Task {
            try await store.followRegistryChanges(listening: { heard.startedListening() }, changed: { heard.append($0) })
        }
        try await heard.wait("the listener is in place") { $0.listening == 1 }
        return (heard, following)
    }

    private func model(_ version: String) throws -> ModelRecord {
        let path = files.path(version)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data("model \(version)".utf8).write(to: URL(fileURLWithPath: path + "/classifier.bin"))
        return ModelRecord(version: version, path: path, baseModelSHA256: String(repeating: "ab", count: 32))
    }

    private func promote(_ version: String, on store: PostgresStore) throws {
        let run = try store.startTrainingRun(dataCounts: nil, trigger: nil, exclusive: false, node: nil, at: Date())
        _ = try store.completeTrainingRun(run.id, model: try model(version), promote: true, dataCounts: nil, metricsJSON: nil, at: Date())
    }

    /// The pids of the backends whose last statement was a LISTEN.
    private func listeningBackends(_ store: PostgresStore) throws -> [Int32] {
        try backendPIDs(store, where: "AND query LIKE 'LISTEN %'")
    }

    private func backendPIDs(_ store: PostgresStore, where condition: String = "") throws -> [Int32] {
        try store.connections.withConnection { connection in
            try store.connections.run(PostgresQuery(unsafeSQL: """
                SELECT pid FROM pg_stat_activity WHERE datname = current_database() \(condition)
                """), on: connection).map { try $0.decode(Int32.self) }
        }
    }

    /// The task's outcome, or nil when it has none within 60 s (it is cancelled then, so that
    /// a listener that never ends fails the test instead of hanging the suite).
    private func settle(_ task: Task<Void, any Error>) async -> Result<Void, any Error>? {
        await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask { await task.result }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return nil
            }
            let first = await group.next() ?? nil
            task.cancel()
            group.cancelAll()
            return first
        }
    }

    private func expectUnavailable(_ following: Task<Void, any Error>, _ when: String, detail: String? = nil) async throws {
        switch await settle(following) {
        case nil:
            XCTFail("the listener did not end \(when) within 60 s")
        case .success?:
            XCTFail("the listener returned as if cancelled \(when)")
        case let .failure(error)?:
            guard case let StoreError.storeUnavailable(message) = error else { return XCTFail("\(when): \(error)") }
            if let detail { XCTAssertTrue(message.contains(detail), message) }
        }
    }
}

/// Waits for `condition`, with a deadline far above what it takes, so that a slow machine does
/// not fail the test but a feed that never delivers does (and the test stops there).
private func waitUntil(_ what: @autoclosure () -> String, _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            XCTFail("waited 60 s for \(what())")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// What a listener heard, shared with the test's task.
private final class Heard: Sendable {
    struct Snapshot {
        var listening = 0
        var versions: [String] = []
    }

    private let state = Mutex(Snapshot())
    var snapshot: Snapshot { state.withLock { $0 } }

    func startedListening() { state.withLock { $0.listening += 1 } }
    func append(_ version: String) { state.withLock { $0.versions.append(version) } }

    func wait(_ what: String, _ condition: (Snapshot) -> Bool) async throws {
        try await waitUntil("\(what); heard \(snapshot)") { condition(snapshot) }
    }
}
