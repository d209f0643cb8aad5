import Foundation
import SpamStore
import XCTest
@testable import SiftDaemon

/// The one way the daemon's async code reaches the store.
final class AsyncStoreTests: XCTestCase {
    func testWritesCommitOnTheWriteThreadAndReadsRunOnTheReadThreads() async throws {
        let directory = try ShortTemporaryDirectory()
        let path = directory.path + "/sift.sqlite"
        let store = AsyncStore(try Store(path: path))
        defer { try? store.store.close() }

        let (id, writer) = try await store.write { store in
            (try store.recordLabeledMessage(LabeledText(text: "hello", label: "ham"), source: .api), threadName())
        }
        // Committed when `write` returns: another connection to the file sees it.
        let other = try Store(path: path)
        XCTAssertEqual(try other.currentLabel(forMessage: id), "ham")
        try other.close()

        let (label, reader) = try await store.read { store in (try store.currentLabel(forMessage: id), threadName()) }
        XCTAssertEqual(label, "ham")
        XCTAssertEqual(writer, "sift-write-0")
        XCTAssertTrue(reader == "sift-read-0" || reader == "sift-read-1", "read ran on \(reader)")
    }

    func testAnErrorReachesTheCaller() async throws {
        let directory = try ShortTemporaryDirectory()
        let store = AsyncStore(try Store(path: directory.path + "/sift.sqlite"))
        defer { try? store.store.close() }
        do {
            _ = try await store.write { try $0.setLabel("spam", forMessage: 12345, source: .correction) }
            XCTFail("labelling a message that does not exist succeeded")
        } catch let error as StoreError {
            guard case .unknownMessage(12345) = error else { return XCTFail("unexpected \(error)") }
        }
    }
}

/// The kernel's name of the calling thread (what `ps -L` and a debugger show).
func threadName() -> String {
    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return comm.trimmingCharacters(in: .newlines)
}
