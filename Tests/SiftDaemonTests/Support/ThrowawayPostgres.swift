import Foundation
import SiftDaemon
import TestSupport
import XCTest

/// A PostgreSQL cluster of one test's own (`scripts/postgres-throwaway`), for tests that stop
/// and restart the server, which they must not do to the cluster other tests share. Needs
/// Debian's postgresql: under CI=true its absence fails the test, elsewhere it skips.
final class ThrowawayPostgres {
    let directory: String
    /// The store URL of its `sift` database.
    let url: String

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/postgres-throwaway")
    }

    init(file: StaticString = #filePath, line: UInt = #line) throws {
        let binaries = ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
        guard FileManager.default.isExecutableFile(atPath: binaries + "/initdb") else {
            let message = "no \(binaries)/initdb: this test runs its own PostgreSQL; install Debian's postgresql (scripts/install-deps)"
            if SharedFixtures.isCI { XCTFail(message, file: file, line: line) }
            throw XCTSkip("skipped: \(message)")
        }
        // Directly under /tmp: the cluster runs as the postgres user, who must be able to enter it.
        directory = "/tmp/sift-pg-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        url = try Self.run("start", directory).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A fast shutdown: connections are cut, as when the server is stopped or restarted.
    func stop() throws { _ = try Self.run("stop", directory) }

    func resume() throws { _ = try Self.run("resume", directory) }

    deinit {
        _ = try? Self.run("stop", directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private static func run(_ action: String, _ directory: String) throws -> String {
        let result = try BuiltExecutable.run(script, [action, directory])
        guard result.status == 0 else {
            throw LineClient.Failure.io("postgres-throwaway \(action) \(directory) failed (\(result.status)): \(result.errors)")
        }
        return result.output
    }
}
