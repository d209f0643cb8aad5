import Foundation
import TestSupport
import XCTest
@testable import SpamStore

final class CorruptionTests: XCTestCase {
    func testGarbageFileIsReportedAsCorrupt() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("garbage.sqlite")
        let garbage = (0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        try Data(garbage).write(to: URL(fileURLWithPath: path))

        XCTAssertThrowsError(try Store(path: path)) { error in
            guard case let .corrupt(reportedPath, detail)? = error as? StoreError else {
                return XCTFail("expected StoreError.corrupt, got \(error)")
            }
            XCTAssertEqual(reportedPath, path)
            XCTAssertFalse(detail.isEmpty)
            XCTAssertTrue("\(error)".contains("is corrupt"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    /// A valid header but damaged table pages: only the integrity check sees it at open.
    func testDamagedPagesAreFoundAtOpen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("damaged.sqlite")
        let store = try Store(path: path)
        let texts = (0..<3_000).map { LabeledText(text: "message \($0) " + String(repeating: "padding ", count: 20), label: "ham") }
        _ = try store.recordLabeledMessages(texts, source: .import)
        try store.close()  // checkpoints the WAL into the main file

        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        XCTAssertGreaterThan(size, 200_000)
        // Overwrite a stretch in the middle with garbage, leaving page 1 (the header) alone.
        try handle.seek(toOffset: size / 2)
        handle.write(Data((0..<32_768).map { UInt8(truncatingIfNeeded: $0 &* 197 &+ 3) }))
        try handle.close()

        XCTAssertThrowsError(try Store(path: path)) { error in
            guard case .corrupt? = error as? StoreError else { return XCTFail("expected StoreError.corrupt, got \(error)") }
        }
    }

    func testAnEmptyFileIsANewDatabase() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("empty.sqlite")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        let store = try Store(path: path)
        defer { try? store.close() }
        XCTAssertEqual(try store.labeledMessages(holdoutPercent: 10).all, [])
    }
}
