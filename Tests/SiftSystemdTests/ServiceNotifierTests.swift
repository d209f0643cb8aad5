import Foundation
import XCTest
import TestSupport
@testable import SiftSystemd

/// sd_notify messages arrive on a real notification socket with the fields systemd expects.
final class ServiceNotifierTests: XCTestCase {
    var listener: NotifySocketListener!

    override func setUpWithError() throws {
        listener = try NotifySocketListener()
        setenv("NOTIFY_SOCKET", listener.path, 1)
    }

    override func tearDown() {
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        listener = nil
    }

    func testReadyCarriesStatus() {
        XCTAssertTrue(ServiceNotifier().ready(status: "serving model 3\nline two"))
        XCTAssertEqual(listener.receive(), "READY=1\nSTATUS=serving model 3 line two")
    }

    func testReloadingCarriesMonotonicTimestamp() throws {
        let before = ServiceNotifier.monotonicMicroseconds()
        XCTAssertTrue(ServiceNotifier().reloading())
        let message = try XCTUnwrap(listener.receive())
        let lines = message.split(separator: "\n")
        XCTAssertEqual(lines.first, "RELOADING=1")
        let stamp = try XCTUnwrap(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        XCTAssertTrue(lines.last!.hasPrefix("MONOTONIC_USEC="))
        XCTAssertGreaterThanOrEqual(stamp, before)
        XCTAssertLessThanOrEqual(stamp, ServiceNotifier.monotonicMicroseconds())
    }

    func testStoppingStatusAndWatchdog() {
        let notifier = ServiceNotifier()
        notifier.stopping()
        XCTAssertEqual(listener.receive(), "STOPPING=1")
        notifier.status("42 messages, 10% spam")
        XCTAssertEqual(listener.receive(), "STATUS=42 messages, 10% spam")
        notifier.watchdog()
        XCTAssertEqual(listener.receive(), "WATCHDOG=1")
    }

    func testNoNotifySocketMeansNoOp() {
        unsetenv("NOTIFY_SOCKET")
        XCTAssertFalse(ServiceNotifier().ready())
    }

    func testWatchdogIntervalComesFromTheEnvironment() {
        setenv("WATCHDOG_USEC", "4000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        XCTAssertEqual(ServiceNotifier().watchdogInterval(), .seconds(4))
        setenv("WATCHDOG_PID", "1", 1)  // meant for another process
        XCTAssertNil(ServiceNotifier().watchdogInterval())
        unsetenv("WATCHDOG_USEC")
        XCTAssertNil(ServiceNotifier().watchdogInterval())
    }
}
