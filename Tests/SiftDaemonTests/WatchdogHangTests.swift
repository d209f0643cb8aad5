import Foundation
import GPT2
import GPT2Tokenizer
import SiftSystemd
import SpamStore
import TestSupport
import XCTest
@testable import SiftDaemon

/// A batcher that stops taking work (its thread never runs: a hang) makes the watchdog go
/// quiet, which is what lets systemd restart a stuck daemon; an idle one keeps it pinging.
final class WatchdogHangTests: XCTestCase {
    /// Overload is not a hang: with thousands of requests waiting longer than the limit, the
    /// batcher counts as serving as long as batches keep completing.
    func testALongQueueThatMovesIsNotAHang() async throws {
        let directory = try ShortTemporaryDirectory()
        var settings = Batcher.Settings(DaemonConfig.Batching())
        settings.maxBatchSize = 1
        let batcher = try Self.batcher(in: directory, settings: settings)
        let limit = Duration.milliseconds(300)
        let count = 10_000
        let requests = Task {
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<count { group.addTask { _ = try? await batcher.classify("queued text number \(i)", peer: nil) } }
            }
        }
        while batcher.queuedCount < count { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: limit + .milliseconds(100))
        XCTAssertFalse(batcher.isMakingProgress(within: limit), "nothing taken for longer than the limit: a hang")

        let runner = Task { try await batcher.run() }
        while batcher.queuedCount == count { try await Task.sleep(for: .milliseconds(1)) }
        var samplesWhileQueued = 0
        while batcher.queuedCount > 0 {
            XCTAssertTrue(batcher.isMakingProgress(within: limit), "batches complete: not a hang (queued \(batcher.queuedCount))")
            samplesWhileQueued += 1
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTAssertGreaterThan(samplesWhileQueued, 0, "the queue was sampled while requests older than the limit waited")
        await requests.value
        runner.cancel()
        try await runner.value
    }

    private static func batcher(in directory: ShortTemporaryDirectory, settings: Batcher.Settings = Batcher.Settings(DaemonConfig.Batching())) throws -> Batcher {
        let store = try Store(path: directory.file("sift.sqlite"))
        let modelDirectory = URL(fileURLWithPath: try DaemonFixture.modelDirectory())
        let serving = ServingModel(
            version: "t", classifier: try Classifier(baseDirectory: modelDirectory, classifierFile: nil, pooling: .last),
            tokenizer: try BPETokenizer(directory: modelDirectory))
        let journal = Journal(store: store, settings: Journal.Settings(DaemonConfig.Journal()), metrics: DaemonMetrics(),
                              logger: DaemonFixture.quietLogger)
        try journal.open()
        return Batcher(models: ModelProvider(initial: serving, source: StoreModelSource(store: store)), journal: journal,
                       settings: settings, metrics: DaemonMetrics(), logger: DaemonFixture.quietLogger)
    }

    /// A request whose client has gone is dropped when its batch forms, not computed.
    func testRequestsOfClientsThatLeftAreDropped() async throws {
        let directory = try ShortTemporaryDirectory()
        let batcher = try Self.batcher(in: directory)
        let gone = ClientPresence(), here = ClientPresence()
        let abandoned = Task { try await batcher.classify("from a client that left", peer: nil, presence: gone) }
        let wanted = Task { try await batcher.classify("from a client that stayed", peer: nil, presence: here) }
        while batcher.queuedCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
        gone.disconnected()
        let runner = Task { try await batcher.run() }
        let answer = try await wanted.value
        XCTAssertGreaterThan(answer.messageID, 0)
        do {
            _ = try await abandoned.value
            XCTFail("the abandoned request was computed")
        } catch let error as ProtocolError {
            XCTAssertTrue(error.message.contains("disconnected"), "\(error)")
        }
        runner.cancel()
        try await runner.value
    }

    func testAHungBatcherStopsTheWatchdogPings() async throws {
        let directory = try ShortTemporaryDirectory()
        let batcher = try Self.batcher(in: directory)

        let listener = try NotifySocketListener()
        setenv("NOTIFY_SOCKET", listener.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let limit = Duration.milliseconds(200)
        let watchdog = Task { try await WatchdogService(interval: limit) { batcher.isMakingProgress(within: limit) }.run() }
        defer { watchdog.cancel() }

        // Idle: serving.
        XCTAssertTrue(batcher.isMakingProgress(within: limit))
        XCTAssertEqual(listener.receive(), "WATCHDOG=1")

        // A request nobody takes: the batcher thread was never started, as if it had hung.
        let waiting = Task { try? await batcher.classify("hello", peer: nil) }
        try await Task.sleep(for: limit * 2)
        XCTAssertFalse(batcher.isMakingProgress(within: limit))
        while listener.receiveNow() != nil {}  // pings sent before the request went stale
        XCTAssertNil(listener.receive(), "the watchdog kept pinging while the batcher was stuck")

        // Unstick it: the request is answered and the pings resume.
        let runner = Task { try await batcher.run() }
        let answer = await waiting.value
        XCTAssertNotNil(answer?.messageID)
        XCTAssertTrue(batcher.isMakingProgress(within: limit))
        XCTAssertNotNil(listener.receive(startingWith: "WATCHDOG=1", timeout: 5))
        runner.cancel()
        try await runner.value
    }
}
