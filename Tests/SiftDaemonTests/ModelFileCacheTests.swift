import Foundation
import SiftDaemon
import SpamStore
import SpamStorePostgres
import TestSupport
import XCTest

/// A node serves a model from its own copy of the files the store holds (issue 19): fetched
/// when missing, kept when whole, fetched again when damaged.
final class ModelFileCacheTests: XCTestCase {
    func testANodeFetchesKeepsAndRepairsItsCopyOfAModelsFiles() throws {
        let database = try PostgresTestDatabase()
        defer { database.drop() }
        let store = try PostgresStore(url: database.url)
        defer { store.close() }

        let trainer = try TemporaryDirectory()
        let trained = trainer.url.appendingPathComponent("r1")
        try FileManager.default.createDirectory(at: trained, withIntermediateDirectories: true)
        let weights = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try weights.write(to: trained.appendingPathComponent("classifier.safetensors"))
        let model = try store.registerCandidateModel(
            version: "r1", path: trained.path, baseModelSHA256: String(repeating: "a", count: 64),
            metricsJSON: nil, trainingRunID: nil, at: Date())

        let node = try TemporaryDirectory()
        let models = node.url.appendingPathComponent("models").path
        let path = try ModelFileCache.localPath(of: model, store: store, modelsDirectory: models)
        let copy = URL(fileURLWithPath: path).appendingPathComponent("classifier.safetensors")
        XCTAssertEqual(path, models + "/r1")
        XCTAssertEqual(try Data(contentsOf: copy), weights, "fetched from the store")

        // Whole: not written again (its inode stays).
        let inode = try FileManager.default.attributesOfItem(atPath: copy.path)[.systemFileNumber] as? UInt64
        _ = try ModelFileCache.localPath(of: model, store: store, modelsDirectory: models)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: copy.path)[.systemFileNumber] as? UInt64, inode)

        // Damaged on this node's disk: fetched again.
        var damaged = weights
        damaged[500] ^= 0xFF
        try damaged.write(to: copy)
        _ = try ModelFileCache.localPath(of: model, store: store, modelsDirectory: models)
        XCTAssertEqual(try Data(contentsOf: copy), weights, "repaired from the store")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path), ["classifier.safetensors"], "no partial file left")
    }
}
