import Foundation
import XCTest
@testable import SiftDaemon

/// siftd's start as an operator sees it: bad settings stop it with the key named.
final class SiftdStartupTests: XCTestCase {
    func testAnInvalidConfigValueStopsSiftdNamingTheKey() throws {
        let siftd = try SiftdProcess(config: "limits:\n  max_connections: lots\n")
        XCTAssertEqual(siftd.waitForExit(), 78, siftd.log)
        XCTAssertTrue(siftd.log.contains("limits.max_connections"), siftd.log)
        XCTAssertTrue(siftd.log.contains("SIFT_LIMITS_MAX_CONNECTIONS"), siftd.log)
    }

    func testAMissingBaseModelIsReportedAsConfig() throws {
        let siftd = try SiftdProcess(config: "model:\n  classifier: /nonexistent/head.safetensors\n")
        XCTAssertEqual(siftd.waitForExit(), 78, siftd.log)
        XCTAssertTrue(siftd.log.contains("model.classifier"), siftd.log)
    }
}
