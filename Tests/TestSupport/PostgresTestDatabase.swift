import Foundation
import XCTest
import SpamStorePostgres

/// A database of its own for one test, created in the cluster that `SIFT_TEST_POSTGRES_URL`
/// names (`scripts/postgres-throwaway start DIR` prints one) and dropped afterwards.
///
/// Without that variable: under `CI=true` the test fails and says how to set it; elsewhere
/// it is skipped with the same words (the policy of ``SharedFixtures/require(_:file:line:)``).
public final class PostgresTestDatabase {
    public struct MissingServer: Error, CustomStringConvertible {
        public var description: String
    }

    public static let variable = "SIFT_TEST_POSTGRES_URL"

    private let scratch: PostgresScratchDatabase
    public var url: PostgresURL { scratch.url }

    /// The URL the environment gives, or a failure (CI) / skip (elsewhere).
    public static func requireURL(file: StaticString = #filePath, line: UInt = #line) throws -> PostgresURL {
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty {
            return try PostgresURL(value)
        }
        let message = "\(variable) is not set: the PostgreSQL store tests need a server; run "
            + "`export \(variable)=$(scripts/postgres-throwaway start /tmp/sift-pg)` first"
        if SharedFixtures.isCI {
            XCTFail(message, file: file, line: line)
            throw MissingServer(description: message)
        }
        throw XCTSkip("skipped: \(message)")
    }

    public init(file: StaticString = #filePath, line: UInt = #line) throws {
        scratch = try PostgresScratchDatabase(server: Self.requireURL(file: file, line: line), prefix: "sift_test")
    }

    public func drop() {
        XCTAssertNoThrow(try scratch.drop())
    }
}
