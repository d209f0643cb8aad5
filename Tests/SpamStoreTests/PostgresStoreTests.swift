import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import XCTest
@testable import SpamStore
@testable import SpamStorePostgres

/// What only the PostgreSQL engine has: URLs, an unreachable server, several instances
/// (nodes) on one database, and the schema_version migrations.
final class PostgresURLTests: XCTestCase {
    func testSocketAndTCPURLsParse() throws {
        XCTAssertEqual(
            try PostgresURL("postgresql://sift@/spam?host=/tmp/pg"),
            PostgresURL(endpoint: .unixSocket(path: "/tmp/pg/.s.PGSQL.5432"), user: "sift", password: nil, database: "spam"))
        XCTAssertEqual(
            try PostgresURL("postgres://sift@/spam?host=/tmp/pg/&port=5433"),
            PostgresURL(endpoint: .unixSocket(path: "/tmp/pg/.s.PGSQL.5433"), user: "sift", password: nil, database: "spam"))
        XCTAssertEqual(
            try PostgresURL("postgresql://sift:p%40ss@127.0.0.1:6543/spam"),
            PostgresURL(endpoint: .tcp(host: "127.0.0.1", port: 6543), user: "sift", password: "p@ss", database: "spam"))
        XCTAssertEqual(try PostgresURL("postgresql://u@db.example/x").endpoint, .tcp(host: "db.example", port: 5432))
        XCTAssertEqual("\(try PostgresURL("postgresql://u:secret@h/x"))", "postgresql://u:***@h:5432/x")
    }

    func testMalformedURLsAreRefusedWithTheReasonAndNoPassword() {
        let cases: [(String, String)] = [
            ("/var/lib/sift/sift.sqlite", "scheme"),
            ("mysql://u@h/db", "scheme"),
            ("postgresql://h/db", "no user"),
            ("postgresql://u:secret@h", "no database"),
            ("postgresql://u@h/a/b", "no database"),
            ("postgresql://u@/db", "no host"),
            ("postgresql://u@/db?host=relative/dir", "absolute path"),
            ("postgresql://u@h/db?host=/tmp", "not both"),
            ("postgresql://u@h:70000/db", "not in 1...65535"),
            ("postgresql://u@h/db?sslmode=require", "unknown parameter"),
            ("postgresql://u@/db?host=/tmp&port=x", "must be a number"),
        ]
        for (url, reason) in cases {
            XCTAssertThrowsError(try PostgresStore(url: url), url) { error in
                guard case let StoreError.invalidStoreURL(quoted, why) = error else { return XCTFail("\(url): \(error)") }
                XCTAssertTrue(why.contains(reason), "\(url): \(why)")
                XCTAssertFalse(quoted.contains("secret"), quoted)
                XCTAssertFalse("\(error)".contains("secret"), "\(error)")
            }
        }
    }

    func testAServerThatIsDownIsStoreUnavailableNotACrash() throws {
        let empty = try TemporaryDirectory()  // no server listens on a socket here
        let clock = ContinuousClock()
        for url in ["postgresql://sift@/sift?host=\(empty.url.path)", "postgresql://sift@127.0.0.1:1/sift"] {
            let elapsed = try clock.measure {
                XCTAssertThrowsError(try PostgresStore(url: url), url) { error in
                    guard case let StoreError.storeUnavailable(detail) = error else { return XCTFail("\(url): \(error)") }
                    XCTAssertTrue(detail.contains("cannot connect"), detail)
                    XCTAssertTrue("\(error)".contains("nothing was acknowledged"), "\(error)")
                }
            }
            XCTAssertLessThan(elapsed, .seconds(5), "a refused connection fails at once, not after the timeout")
        }
    }

    /// A server that takes the connection and never answers (hung, or stopping without closing
    /// its side) costs a call its deadline, not the caller's thread forever.
    func testAServerThatNeverAnswersIsUnavailableAfterTheCallTimeout() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent(".s.PGSQL.5432").path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        defer { close(listener) }
        XCTAssertEqual(try UnixSocketAddress.with(path) { bind(listener, $0, $1) }, 0)
        XCTAssertEqual(listen(listener, 8), 0)  // connections queue in the backlog; nothing reads them

        var options = PostgresStore.Options()
        options.callTimeout = .seconds(1)
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            XCTAssertThrowsError(try PostgresStore(url: "postgresql://sift@/sift?host=\(directory.url.path)", options: options)) { error in
                guard case let StoreError.storeUnavailable(detail) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("no answer"), detail)
            }
        }
        XCTAssertLessThan(elapsed, .seconds(20), "given up after the call timeout (1 s), not waiting for ever")
    }
}

final class PostgresStoreTests: XCTestCase {
    private var database: PostgresTestDatabase!

    override func setUpWithError() throws {
        database = try PostgresTestDatabase()
    }

    override func tearDownWithError() throws {
        database?.drop()
        database = nil
    }

    private static func classified(_ text: String) -> ClassifiedMessage {
        ClassifiedMessage(
            text: text, receivedAt: fixedNoon, peer: nil,
            prediction: PredictionRecord(modelVersion: "1", label: "ham", probability: 0.5, latencyMilliseconds: 1))
    }

    func testTwoInstancesReservingConcurrentlyNeverShareAnID() throws {
        var options = PostgresStore.Options()
        options.idBlockSize = 5
        let nodes = try (0..<2).map { _ in try PostgresStore(url: database.url, options: options) }
        defer { nodes.forEach { $0.close() } }

        // Four threads per node: two record batches (ids from the node's blocks), two reserve
        // ranges directly (as the daemon's journal does).
        let recorded = Mutex<[MessageID]>([])
        let reserved = Mutex<[ClosedRange<MessageID>]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let node = nodes[worker % 2]
            do {
                for round in 0..<25 {
                    if worker % 4 < 2 {
                        let ids = try node.recordClassified((0..<3).map { Self.classified("w\(worker) r\(round) m\($0)") })
                        recorded.withLock { $0 += ids }
                    } else {
                        let range = try node.reserveMessageIDs(count: 1 + round % 7)
                        reserved.withLock { $0.append(range) }
                    }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let ranges = reserved.withLock { $0 }
        let all = recorded.withLock { $0 } + ranges.flatMap { Array($0) }
        XCTAssertEqual(recorded.withLock { $0.count }, 4 * 25 * 3)
        XCTAssertEqual(ranges.map(\.count).reduce(0, +), (0..<25).map { 1 + $0 % 7 }.reduce(0, +) * 4)
        XCTAssertEqual(Set(all).count, all.count, "an id was handed out twice")
        for id in recorded.withLock({ $0 }).prefix(20) {
            XCTAssertNotNil(try nodes[0].message(id), "recorded by either node, readable by both")
        }
    }

    func testConcurrentLabelsOnOneMessageLeaveOneCurrentEvent() throws {
        let nodes = try (0..<2).map { _ in try PostgresStore(url: database.url) }
        defer { nodes.forEach { $0.close() } }
        let id = try nodes[0].recordClassified([Self.classified("contested")])[0]
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            for round in 0..<10 {
                do {
                    try nodes[worker % 2].setLabel(
                        round % 2 == 0 ? "spam" : "ham", forMessage: id, source: .correction, peerUID: UInt32(worker))
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let history = try nodes[1].labelHistory(forMessage: id)
        XCTAssertEqual(history.count, 60)
        XCTAssertEqual(history.filter(\.isCurrent).count, 1)
        XCTAssertEqual(try nodes[1].currentLabelEvent(forMessage: id), history.last)
    }

    func testMigrationsApplyOnceAndANewerSchemaIsRefused() throws {
        let first = try PostgresStore(url: database.url)
        let id = try first.recordClassified([Self.classified("kept")])[0]
        first.close()
        let again = try PostgresStore(url: database.url)  // nothing to migrate; the data stays
        XCTAssertEqual(try again.message(id)?.text, "kept")
        let versions = try again.connections.withConnection { connection in
            try again.connections.run("SELECT version, name FROM schema_version ORDER BY version", on: connection)
                .map { try $0.decode((Int, String).self) }
        }
        XCTAssertEqual(versions.map(\.0), PostgresSchema.migrations.map(\.version))
        XCTAssertEqual(versions.map(\.1), PostgresSchema.migrations.map(\.name))

        try again.connections.withConnection { connection in
            try again.connections.run("INSERT INTO schema_version (version, name) VALUES (999, 'from-the-future')", on: connection)
        }
        again.close()
        XCTAssertThrowsError(try PostgresStore(url: database.url)) { error in
            guard case let StoreError.schemaTooNew(_, unknown) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(unknown, ["v999-from-the-future"])
        }
    }

    func testACallAfterCloseIsUnavailable() throws {
        let store = try PostgresStore(url: database.url)
        store.close()
        XCTAssertThrowsError(try store.message(1)) { error in
            guard case StoreError.storeUnavailable = error else { return XCTFail("\(error)") }
        }
    }
}
