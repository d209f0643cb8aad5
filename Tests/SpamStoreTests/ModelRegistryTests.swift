import Foundation
import XCTest
@testable import SpamStore

final class ModelRegistryTests: StoreTestCase {
    let baseHash = String(repeating: "ab", count: 32)

    func testCandidateThenPromotionRetiresThePreviousActiveModel() throws {
        let run = try store.startTrainingRun()
        let first = try store.registerCandidateModel(
            version: "1", path: "/models/1", baseModelSHA256: baseHash, metricsJSON: #"{"accuracy":0.95}"#,
            trainingRunID: run.id, at: Date(timeIntervalSince1970: 100))
        XCTAssertEqual(first.status, .candidate)
        XCTAssertNil(try store.activeModel())

        XCTAssertNil(try store.setModelStatus("1", to: .active))
        try store.registerCandidateModel(version: "2", path: "/models/2", baseModelSHA256: baseHash, at: Date(timeIntervalSince1970: 200))
        XCTAssertEqual(try store.setModelStatus("2", to: .active), "1")

        XCTAssertEqual(try store.activeModel()?.version, "2")
        XCTAssertEqual(try store.model(version: "1")?.status, .retired)
        XCTAssertEqual(try store.model(version: "1")?.metricsJSON, #"{"accuracy":0.95}"#)
        XCTAssertEqual(try store.model(version: "1")?.trainingRunID, run.id)
        XCTAssertEqual(try store.models().map(\.version), ["2", "1"])

        // Rollback: the retired model becomes active again.
        XCTAssertEqual(try store.setModelStatus("1", to: .active), "2")
        XCTAssertEqual(try store.models().filter { $0.status == .active }.map(\.version), ["1"])
        // Re-activating the active model retires nothing.
        XCTAssertNil(try store.setModelStatus("1", to: .active))
    }

    func testRejectedCandidateStaysListed() throws {
        try store.registerCandidateModel(version: "7", path: "/m/7", baseModelSHA256: baseHash)
        try store.setModelStatus("7", to: .rejected)
        XCTAssertEqual(try store.model(version: "7")?.status, .rejected)
        XCTAssertNil(try store.activeModel())
    }

    func testInvalidInputIsRefused() throws {
        try store.registerCandidateModel(version: "1", path: "/m/1", baseModelSHA256: baseHash)
        XCTAssertThrowsError(try store.registerCandidateModel(version: "1", path: "/m/1b", baseModelSHA256: baseHash)) {
            XCTAssertEqual($0 as? StoreError, .duplicateModel(version: "1"))
        }
        for bad in ["", "..", "a/b", "x y"] {
            XCTAssertThrowsError(try store.registerCandidateModel(version: bad, path: "/m", baseModelSHA256: baseHash), bad)
        }
        XCTAssertThrowsError(try store.registerCandidateModel(version: "2", path: "/m/2", baseModelSHA256: baseHash, metricsJSON: "{nope"))
        XCTAssertThrowsError(try store.registerCandidateModel(version: "3", path: "/m/3", baseModelSHA256: baseHash, trainingRunID: 99)) {
            XCTAssertEqual($0 as? StoreError, .unknownTrainingRun(99))
        }
        XCTAssertThrowsError(try store.setModelStatus("nope", to: .active)) {
            XCTAssertEqual($0 as? StoreError, .unknownModel(version: "nope"))
        }
        XCTAssertEqual(try store.models().map(\.version), ["1"])
    }
}
