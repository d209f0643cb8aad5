import Foundation
import TestSupport
import XCTest
@testable import SpamStore

/// A base class that gives each test a fresh store in its own directory.
class StoreTestCase: XCTestCase {
    var directory: TemporaryDirectory!
    var store: Store!
    var databasePath: String { directory.path("sift.sqlite") }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        store = try Store(path: databasePath)
    }

    override func tearDownWithError() throws {
        try store?.close()
        store = nil
        directory = nil
    }

    /// A classified message as the journal would hand it over.
    func classified(
        _ text: String, label: String = "ham", probability: Double = 0.9, model: String = "1",
        at time: Date = Date()
    ) -> ClassifiedMessage {
        ClassifiedMessage(
            text: text, receivedAt: time, peer: Peer(pid: 42, uid: 1000, gid: 100),
            prediction: PredictionRecord(modelVersion: model, label: label, probability: probability, latencyMilliseconds: 3))
    }
}

/// 2026-03-10 12:00:00 UTC, a fixed "now" for tests about days.
let fixedNoon = Date(timeIntervalSince1970: 1_773_144_000)
let day: TimeInterval = 86_400
