import Foundation
import GPT2
import XCTest
@testable import SiftDaemon

/// A classifier that would answer NaN is refused at start and on reload, and a reload that
/// fails applies neither its model nor its config.
final class ModelSafetyTests: XCTestCase {
    /// The golden head with one NaN in `score.weight`.
    private static func poisonedHead(in directory: ShortTemporaryDirectory) throws -> String {
        let source = try SafeTensorsFile(url: URL(fileURLWithPath: try DaemonFixture.modelDirectory()).appendingPathComponent("head.safetensors"))
        var tensors: [(name: String, tensor: Tensor)] = []
        for name in source.entries.keys.sorted() {
            let copy = try source.tensor(name).copy()
            if name == "score.weight" { copy.pointer[3] = .nan }
            tensors.append((name, copy))
        }
        let path = directory.file("nan-head.safetensors")
        try SafeTensorsWriter.write(tensors, metadata: source.metadata, to: URL(fileURLWithPath: path))
        return path
    }

    func testAClassifierWithNaNWeightsIsRefusedAtStart() async throws {
        let directory = try ShortTemporaryDirectory()
        var config = try DaemonFixture.config(in: directory)
        config.model.classifier = try Self.poisonedHead(in: directory)
        do {
            let daemon = try await Daemon.start(config: config, logger: DaemonFixture.quietLogger)
            await daemon.shutdown()
            XCTFail("a NaN classifier was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("score.weight") && "\(error)".contains("NaN"), "\(error)")
        }
    }

    func testFiniteWeightsFindsNaNAndInfinity() {
        let fine = Tensor(shape: [3], values: [1, -2, 3e38])
        let nan = Tensor(shape: [2], values: [0, .nan])
        let inf = Tensor(shape: [2], values: [-.infinity, 0])
        XCTAssertNil(FiniteWeights.firstNonFinite([("a", fine)]))
        XCTAssertEqual(FiniteWeights.firstNonFinite([("a", fine), ("b", nan)]), "b")
        XCTAssertEqual(FiniteWeights.firstNonFinite([("c", inf)]), "c")
    }

    /// SIGHUP with a config that names a NaN classifier (and takes rights away): the old model
    /// and the old config both stay.
    func testAReloadWithABadModelKeepsTheOldConfigToo() throws {
        let siftd = try SiftdProcess()
        try siftd.waitUntilServing()
        let client = try LineClient(socketPath: siftd.socketPath)
        client.setReceiveTimeout(seconds: 60)
        let model = try client.call(["op": "health"])["model"]
        let poisoned = try Self.poisonedHead(in: siftd.directory)
        try "model:\n  classifier: \(poisoned)\nauthorization:\n  allow_own_uid: false\n"
            .write(toFile: siftd.configPath, atomically: true, encoding: .utf8)
        siftd.signal(SIGHUP)
        var failures: Double = 0
        for _ in 0..<3000 where failures == 0 {
            failures = try client.metric("sift_reload_failures_total") ?? 0
            if failures == 0 { usleep(10_000) }
        }
        XCTAssertEqual(failures, 1, siftd.log)
        XCTAssertEqual(try client.call(["op": "health"])["model"], model)
        let correct = try client.call(["op": "correct", "message_id": 999_999, "label": "ham"])
        XCTAssertEqual(correct.errorCode, "unknown_message_id", "the new config (allow_own_uid: false) must not apply: \(correct)")
        XCTAssertTrue(siftd.log.contains("NaN"), siftd.log)
        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0)
    }
}
