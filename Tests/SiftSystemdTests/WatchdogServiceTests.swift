import Foundation
import Synchronization
import XCTest
import TestSupport
@testable import SiftSystemd

final class WatchdogServiceTests: XCTestCase {
    func testPingsOnlyWhileServing() async throws {
        let listener = try NotifySocketListener()
        setenv("NOTIFY_SOCKET", listener.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let serving = Mutex(true)
        let service = WatchdogService(interval: .milliseconds(100)) { serving.withLock { $0 } }
        let task = Task { try await service.run() }
        XCTAssertEqual(listener.receive(), "WATCHDOG=1")
        XCTAssertEqual(listener.receive(), "WATCHDOG=1")
        // A stuck serving path: no more pings, so systemd would restart the daemon.
        serving.withLock { $0 = false }
        try await Task.sleep(for: .milliseconds(120))
        while listener.receiveNow() != nil {}  // drop any ping sent before the switch took effect
        XCTAssertNil(listener.receive(), "a watchdog ping was sent while not serving")
        task.cancel()
        _ = try? await task.value
    }
}
