import Foundation
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
        XCTAssertEqual(try listeningBackends(other), 1)
        // What a server restart or a dropped network does to the listener's connection.
        try other.connections.withConnection { connection in
            try other.connections.run("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN %'
                """, on: connection)
        }
        do {
            try await following.value
            XCTFail("the listener returned as if cancelled")
        } catch let error as StoreError {
            guard case .storeUnavailable = error else { return XCTFail("\(error)") }
        }
    }

    func testCancellingTheListenerClosesItsConnection() async throws {
        let (listener, other) = (try PostgresStore(url: database.url), try PostgresStore(url: database.url))
        defer { listener.close(); other.close() }
        let (_, following) = try await follow(listener)
        following.cancel()
        try await following.value
        try await waitUntil("the listening backend is gone") { try self.listeningBackends(other) == 0 }
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

    private func listeningBackends(_ store: PostgresStore) throws -> Int {
        try store.connections.withConnection { connection in
            try store.connections.run("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN %' AND state IS NOT NULL
                """, on: connection).first!.decode(Int.self)
        }
    }

    private func waitUntil(_ what: String, _ condition: @escaping () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try !condition() {
            guard ContinuousClock.now < deadline else { return XCTFail("waited 60 s for \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
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

    /// Waits for `condition` (a deadline far above what it takes, so that a slow machine does
    /// not fail the test but a feed that never delivers does).
    func wait(_ what: String, _ condition: (Snapshot) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(snapshot) {
            guard ContinuousClock.now < deadline else {
                XCTFail("waited 60 s for \(what); heard \(snapshot)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
