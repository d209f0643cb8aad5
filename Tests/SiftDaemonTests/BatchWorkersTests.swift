import Foundation
import GPT2
import GPT2Tokenizer
import SiftJSON
import Synchronization
import TestSupport
import XCTest
@testable import SiftDaemon

/// `batching.workers`: batches run side by side, each worker on an engine of its own, with the
/// same answers as one worker gives.
final class BatchWorkersTests: DaemonTestCase {
    private static let texts = [
        "Free entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005",
        "Ok lar... Joking wif u oni...",
        "U dun say so early hor... U c already then say...",
        "Nah I don't think he goes to usf, he lives around here though",
        "WINNER!! As a valued network customer you have been selected to receivea £900 prize reward!",
        "Had your mobile 11 months or more? U R entitled to Update to the latest colour mobiles",
        "I'm gonna be home soon and i don't want to talk about this stuff anymore tonight",
        "SIX chances to win CASH! From 100 to 20,000 pounds txt> CSH11 and send to 87575",
        "URGENT! You have won a 1 week FREE membership in our £100,000 prize Jackpot!",
        "I've been searching for the right words to thank you for this breather.",
        "XXXMobileMovieClub: To use your credit, click the WAP link in the next txt message",
        "Oh k...i'm watching here:)",
    ]

    /// Concurrent requests under two workers get the probabilities one worker gives, and the
    /// daemon stops cleanly, giving OpenBLAS back its configured threads.
    func testTwoWorkersAnswerAsOneDoes() async throws {
        let one = try await start { $0.batching.cacheEntries = 0 }
        let expected = try await Self.classifyConcurrently(Self.texts, on: one, connections: 1)
        try await one.stop()
        fixture = nil

        let two = try await start { config in
            config.batching.workers = 2
            config.batching.cacheEntries = 0
            config.batching.maxBatchSize = 2
            config.model.threads = 2
        }
        let answered = try await Self.classifyConcurrently(Self.texts, on: two, connections: 6)
        XCTAssertEqual(BLAS.threads, 1, "workers side by side run each GEMM on their own thread")
        for text in Self.texts {
            let (a, b) = (try XCTUnwrap(expected[text]), try XCTUnwrap(answered[text], text))
            XCTAssertEqual(a.count, b.count)
            // Batches of other sizes may take other OpenBLAS code paths: equal up to rounding.
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5, text) }
        }
        try await two.stop()
        fixture = nil
        XCTAssertEqual(BLAS.threads, 2, "model.threads again once the workers stopped")
        BLAS.setThreads(1)
    }

    /// A worker after the first computes on a copy with buffers of its own and the same weights.
    func testEachWorkerAfterTheFirstHasItsOwnEngine() throws {
        let directory = URL(fileURLWithPath: try DaemonFixture.modelDirectory())
        let model = ServingModel(
            version: "t", classifier: try Classifier(baseDirectory: directory, classifierFile: nil, pooling: .last),
            tokenizer: try BPETokenizer(directory: directory))
        XCTAssertTrue(model.engine(forWorker: 0) === model.classifier)
        let second = model.engine(forWorker: 1)
        XCTAssertFalse(second === model.classifier)
        XCTAssertFalse(second.model === model.classifier.model, "its own activation buffers")
        XCTAssertTrue(second === model.engine(forWorker: 1), "made once")
        XCTAssertEqual(second.model.weights.wte.pointer, model.classifier.model.weights.wte.pointer, "weights shared, not copied")
        let tokens = Self.texts.map { model.tokenizer.encodePrefix($0, maxTokens: 64) }
        XCTAssertEqual(second.classify(tokenIDs: tokens), model.classifier.classify(tokenIDs: tokens))
    }

    func testWorkersAndCacheEntriesAreChecked() async throws {
        for (key, value) in [("batching.workers", "0"), ("batching.workers", "two"), ("batching.cache_entries", "-1")] {
            let environment = [DaemonConfigLoader.environmentName(of: key): value]
            do {
                _ = try await DaemonConfigLoader(file: nil, environment: environment).load()
                XCTFail("accepted \(key)=\(value)")
            } catch let error as DaemonConfigError {
                XCTAssertEqual(error.key, key, "\(error)")
            }
        }
        let environment = ["SIFT_BATCHING_WORKERS": "4", "SIFT_BATCHING_CACHE_ENTRIES": "0"]
        let config = try await DaemonConfigLoader(file: nil, environment: environment).load()
        XCTAssertEqual(config.batching.workers, 4)
        XCTAssertEqual(config.batching.cacheEntries, 0)
    }

    /// Every text classified once, from `connections` clients at a time (threads of their own:
    /// the calls block); the probabilities by text.
    private static func classifyConcurrently(_ texts: [String], on daemon: DaemonFixture, connections: Int) async throws -> [String: [Float]] {
        let next = Atomic<Int>(0)
        let answers = Mutex<[String: [Float]]>([:])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<connections {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let client = try daemon.connect()
                    while case let index = next.add(1, ordering: .relaxed).oldValue, index < texts.count {
                        let reply = try client.call(["op": "classify", "text": .string(texts[index])])
                        guard case let .object(entries)? = reply["probabilities"] else { throw LineClient.Failure.io("no probabilities: \(reply)") }
                        let probabilities = entries.map { Float($0.value.doubleValue ?? .nan) }
                        answers.withLock { $0[texts[index]] = probabilities }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        XCTAssertEqual(failures.withLock { $0 }, [])
        return answers.withLock { $0 }
    }
}
