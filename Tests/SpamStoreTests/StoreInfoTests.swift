import XCTest
@testable import SpamStore

final class StoreInfoTests: XCTestCase {
    func testSystemSQLiteIsLinked() throws {
        let version = try StoreInfo.sqliteVersion()
        XCTAssertTrue(version.hasPrefix("3."), "unexpected sqlite version \(version)")
    }
}
