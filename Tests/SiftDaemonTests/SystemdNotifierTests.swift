import XCTest
@testable import SiftDaemon

final class SystemdNotifierTests: XCTestCase {
    func testNotifyWithoutNotifySocketIsANoOp() {
        unsetenv("NOTIFY_SOCKET")
        XCTAssertFalse(SystemdNotifier().notify("READY=1"))
    }
}
