import XCTest
@testable import SiftDaemon

/// A test case with one in-process siftd at a time, started by ``start(_:)`` and stopped
/// (gracefully, as SIGTERM) after each test.
class DaemonTestCase: XCTestCase {
    var fixture: DaemonFixture?

    override func tearDown() async throws {
        try await fixture?.stop()
        fixture = nil
    }

    func start(_ customize: @escaping (inout DaemonConfig) -> Void = { _ in }) async throws -> DaemonFixture {
        let started = try await DaemonFixture.start(customize)
        fixture = started
        return started
    }
}
