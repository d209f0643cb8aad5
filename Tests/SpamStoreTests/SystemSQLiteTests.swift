import Foundation
import XCTest
@testable import SpamStore

final class SystemSQLiteTests: XCTestCase {
    /// GRDB is linked against the system's libsqlite3 (libsqlite3-dev), not a copy of its own:
    /// the version SQLite reports at run time is the one pkg-config knows.
    func testSQLiteIsTheSystemOne() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pkg-config", "--modversion", "sqlite3"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "pkg-config sqlite3 failed: scripts/install-deps installs libsqlite3-dev and pkg-config")
        let system = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try StoreInfo.sqliteVersion(), system)
    }
}
