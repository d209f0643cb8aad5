import Foundation
import Logging
import XCTest
@testable import SiftSystemd

final class JournaldLogHandlerTests: XCTestCase {
    func testFieldsCarryPriorityAndSiftMetadata() {
        let fields = JournaldLogHandler.fields(
            level: .warning, message: "classified\nsecond line", metadata: ["message_id": "42", "model-version": "7"],
            identifier: "siftd", logger: "sift.batcher", file: "Batcher.swift", function: "run()", line: 12)
        XCTAssertEqual(fields[0], "MESSAGE=classified\nsecond line")
        XCTAssertEqual(fields[1], "PRIORITY=4")
        XCTAssertTrue(fields.contains("SYSLOG_IDENTIFIER=siftd"))
        XCTAssertTrue(fields.contains("SIFT_MESSAGE_ID=42"))
        XCTAssertTrue(fields.contains("SIFT_MODEL_VERSION=7"))
        XCTAssertTrue(fields.contains("CODE_LINE=12"))
    }

    func testPrioritiesFollowSyslog() {
        XCTAssertEqual(JournaldLogHandler.priority(.critical), 2)
        XCTAssertEqual(JournaldLogHandler.priority(.error), 3)
        XCTAssertEqual(JournaldLogHandler.priority(.info), 6)
        XCTAssertEqual(JournaldLogHandler.priority(.debug), 7)
    }

    func testFieldNamesAreJournalSafe() {
        XCTAssertEqual(JournaldLogHandler.fieldName("peer.uid"), "PEER_UID")
        XCTAssertEqual(JournaldLogHandler.fieldName("label"), "LABEL")
    }

    func testLoggingWithoutAJournalDoesNotFail() {
        // No journald in CI: sending must be harmless (sd_journal_sendv returns an error code).
        var handler = JournaldLogHandler(label: "test")
        handler.logLevel = .debug
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .debug
        logger.info("hello", metadata: ["label": "spam"])
    }
}
