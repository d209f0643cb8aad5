import Foundation
import GPT2
import GPT2Tokenizer
import SiftJSON
import SpamStore
import Synchronization
import XCTest
@testable import SiftDaemon

/// The verdict cache (`batching.cache_entries`): a repeated text is answered without a forward
/// pass, with its own message id and stored prediction, and never with an old model's answer.
final class VerdictCacheTests: DaemonTestCase {
    func testTheLeastRecentlyUsedEntryGoesFirstAndTheBoundHolds() {
        var cache = LRUCache<String, Int>(capacity: 3)
        for (value, key) in ["a", "b", "c"].enumerated() { cache.set(value, for: key) }
        XCTAssertEqual(cache.value(for: "a"), 0)  // a is now the most recent; b the least
        cache.set(3, for: "d")
        XCTAssertEqual(cache.count, 3)
        XCTAssertNil(cache.value(for: "b"))
        XCTAssertEqual(cache.keysByRecency, ["d", "a", "c"])
        cache.set(30, for: "c")  // an update refreshes, evicts nothing
        XCTAssertEqual(cache.keysByRecency, ["c", "d", "a"])
        XCTAssertEqual(cache.value(for: "c"), 30)
        for index in 0..<100 { cache.set(index, for: "k\(index)") }
        XCTAssertEqual(cache.count, 3)
        XCTAssertEqual(cache.keysByRecency, ["k99", "k98", "k97"])

        cache.resize(to: 2)
        XCTAssertEqual(cache.keysByRecency, ["k99", "k98"])
        cache.resize(to: 0)
        cache.set(1, for: "x")
        XCTAssertEqual(cache.count, 0)
        XCTAssertNil(cache.value(for: "x"))
    }

    func testTheDigestTellsTextsApartByTheirBytes() {
        XCTAssertEqual(TextDigest("Free entry"), TextDigest("Free " + "entry"))
        XCTAssertNotEqual(TextDigest("Free entry"), TextDigest("Free entry "))
        // Equal as Swift strings, different bytes for the tokenizer.
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        XCTAssertEqual(composed, decomposed)
        XCTAssertNotEqual(TextDigest(composed), TextDigest(decomposed))
    }

    /// One forward pass, three answers: the repeats carry the computed answer's probabilities,
    /// each under a new message id with a prediction of its own in the store.
    func testARepeatIsAnsweredFromTheCacheWithItsOwnIdAndPrediction() async throws {
        let daemon = try await start()
        let client = try daemon.connect()
        let text = "URGENT! You have won a 1 week FREE membership in our £100,000 prize Jackpot!"
        let replies = try (0..<3).map { _ in try client.call(["op": "classify", "text": .string(text)]) }

        let ids = try replies.map { try XCTUnwrap($0["message_id"]?.intValue, "\($0)") }
        XCTAssertEqual(Set(ids).count, 3, "each request its own message id: \(ids)")
        for reply in replies.dropFirst() {
            XCTAssertEqual(reply["probabilities"], replies[0]["probabilities"])
            XCTAssertEqual(reply["label"], replies[0]["label"])
            XCTAssertEqual(reply["model"], replies[0]["model"])
        }
        for id in ids {
            await daemon.daemon.context.journal.waitUntilWritten(id)
            let stored = try XCTUnwrap(try daemon.daemon.context.store.predictions(forMessage: id).first?.prediction, "message \(id)")
            XCTAssertEqual(stored.modelVersion, replies[0]["model"]?.stringValue)
            XCTAssertEqual(stored.label, replies[0]["label"]?.stringValue)
            XCTAssertGreaterThanOrEqual(stored.latencyMilliseconds, 0)
        }
        XCTAssertEqual(try client.metric("sift_verdict_cache_hits_total"), 2)
        XCTAssertEqual(try client.metric("sift_verdict_cache_misses_total"), 1)
        XCTAssertEqual(try client.metric("sift_verdict_cache_entries"), 1)
        XCTAssertEqual(try client.metric("sift_batch_size_texts_count"), 1, "one forward pass for the three")
        XCTAssertEqual(try client.metric("sift_classify_latency_seconds_count"), 3, "every answer's latency recorded")
    }

    func testZeroEntriesComputesEveryRequest() async throws {
        let daemon = try await start { $0.batching.cacheEntries = 0 }
        let client = try daemon.connect()
        let replies = try (0..<2).map { _ in try client.call(["op": "classify", "text": "Ok lar... Joking wif u oni..."]) }
        XCTAssertEqual(replies[0]["probabilities"], replies[1]["probabilities"])
        XCTAssertEqual(try client.metric("sift_batch_size_texts_count"), 2, "a forward pass each")
        XCTAssertEqual(try client.metric("sift_verdict_cache_hits_total"), 0)
        XCTAssertEqual(try client.metric("sift_verdict_cache_entries"), 0)
    }

    /// After a reload to another classifier, the same text gets the new model's answer (not the
    /// cached one), under the new version; also when the version string stays the same.
    func testAModelSwapEmptiesTheCache() async throws {
        let first = try Self.goldenModel(version: "first")
        let second = try Self.model(version: "second", shiftingBiasOf: first)
        let sameVersion = try Self.model(version: "second", shiftingBiasOf: second)
        XCTAssertGreaterThan(abs(Self.compute("spam", on: first)[1] - Self.compute("spam", on: second)[1]), 0.01,
                             "the models must disagree for the test to tell their answers apart")
        let source = SwitchableModelSource(first)
        let daemon = try await DaemonFixture.start(options: Daemon.Options(modelSource: { _ in source }))
        fixture = daemon
        let client = try daemon.connect()
        let text = "Had your mobile 11 months or more? U R entitled to Update to the latest colour mobiles"

        for expected in [first, second, sameVersion] {
            if expected !== first {
                source.serve(expected)
                let reloaded = await daemon.daemon.reload()
                XCTAssertTrue(reloaded)
            }
            for _ in 0..<2 {  // computed, then cached
                let reply = try client.call(["op": "classify", "text": .string(text)])
                XCTAssertEqual(reply["model"]?.stringValue, expected.version, "\(reply)")
                let answered = try Self.probabilities(reply, labels: expected.labels)
                let computed = Self.compute(text, on: expected)
                for (a, b) in zip(answered, computed) { XCTAssertEqual(a, b, accuracy: 1e-6, "\(expected.version): \(reply)") }
            }
        }
        XCTAssertEqual(try client.metric("sift_verdict_cache_hits_total"), 3, "one per model, none across a swap")
        XCTAssertEqual(try client.metric("sift_verdict_cache_misses_total"), 3)
    }

    /// A repeat is answered even while no batch worker runs (here: none was started).
    func testAHitNeedsNoBatch() async throws {
        let directory = try ShortTemporaryDirectory()
        let model = try Self.goldenModel(version: "t")
        let store = try Store(path: directory.file("sift.sqlite"))
        let journal = Journal(store: store, settings: Journal.Settings(DaemonConfig.Journal()), metrics: DaemonMetrics(),
                              logger: DaemonFixture.quietLogger)
        try journal.open()
        let batcher = Batcher(models: ModelProvider(initial: model, source: FixedModelSource(model)), journal: journal,
                              settings: Batcher.Settings(DaemonConfig.Batching()), metrics: DaemonMetrics(), logger: DaemonFixture.quietLogger)
        let text = "Call now to claim your prize"
        let probabilities = Self.compute(text, on: model)
        batcher.cache.insert(probabilities, for: TextDigest(text), model: model, serving: model)

        let answer = try await batcher.classify(text, peer: nil)
        XCTAssertEqual(answer.probabilities.map(\.probability), probabilities)
        XCTAssertEqual(answer.modelVersion, "t")
        XCTAssertGreaterThan(answer.messageID, 0)
        XCTAssertEqual(journal.pendingCount, 1, "journaled like a computed answer")
    }

    // MARK: - Helpers

    private static func goldenModel(version: String) throws -> ServingModel {
        let directory = URL(fileURLWithPath: try DaemonFixture.modelDirectory())
        return ServingModel(
            version: version, classifier: try Classifier(baseDirectory: directory, classifierFile: nil, pooling: .last),
            tokenizer: try BPETokenizer(directory: directory))
    }

    /// The same network with a head that leans further towards the second label.
    private static func model(version: String, shiftingBiasOf model: ServingModel) throws -> ServingModel {
        let head = model.classifier.head
        var bias = Array(UnsafeBufferPointer(start: head.bias.pointer, count: head.bias.count))
        bias[bias.count - 1] += 1.5
        let shifted = try ClassifierHead(weight: head.weight, bias: Tensor(shape: head.bias.shape, values: bias), labels: head.labels)
        let classifier = Classifier(model: model.classifier.model, head: shifted, pooling: model.classifier.pooling)
        return ServingModel(version: version, classifier: classifier, tokenizer: model.tokenizer)
    }

    /// What `model` says of `text`, computed here, as the daemon computes a batch of one.
    private static func compute(_ text: String, on model: ServingModel) -> [Float] {
        let tokens = model.tokenizer.encodePrefix(text, maxTokens: model.classifier.model.config.contextLength)
        return model.classifier.classify(tokenIDs: [tokens])[0].probabilities
    }

    private static func probabilities(_ reply: JSONValue, labels: [String]) throws -> [Float] {
        try labels.map { label in Float(try XCTUnwrap(reply["probabilities"]?[label]?.doubleValue, "\(label) in \(reply)")) }
    }
}

/// Serves whichever model the test chose last, at start and on every reload.
private final class SwitchableModelSource: ModelSource {
    private let model: Mutex<ServingModel>

    init(_ model: ServingModel) { self.model = Mutex(model) }

    func serve(_ next: ServingModel) { model.withLock { $0 = next } }

    func load(_ config: DaemonConfig) throws -> ServingModel { model.withLock { $0 } }
}
